import { writeFileSync } from 'node:fs'
import { openEngine } from '../../src/cli/engine-wiring.js'
import { buildReport } from '../../src/engine/report/build-report.js'
import type { ReportModel } from '../../src/engine/report/model.js'
import { renderReportHtml } from '../../src/views/report/render-report.js'
import type { EmbeddedWorkspace } from './embedded-workspace.js'

/** Builds the workspace's report through the real engine, as `bf report` does, and writes it to `file`. */
export async function writeWorkspaceReport(workspace: EmbeddedWorkspace, file: string, refresh = true, plan: Partial<ReportModel['plan']> = {}): Promise<ReportModel> {
  const spec = await workspace.load()
  const engine = await openEngine(spec)
  try {
    const model = await buildReport(spec, engine.deps, { refresh })
    writeFileSync(file, renderReportHtml({ ...model, plan: { ...model.plan, ...plan } }))
    return model
  } finally {
    await engine.close()
  }
}
