import type { ClientConnection, ModuleImporter } from '../../src/warehouse/embedded-connection.js'

/** Every query text sent through the connections an importer made, in order. */
export interface SentQueries {
  texts: string[]
}

/**
 * Loads the real `chdb/connection`, with each connection it makes wrapped to write down
 * the text of every query, command and exec before passing it on unchanged. Given to bf
 * as the warehouse's `importer`, it counts what bf really sends to the embedded engine.
 */
export function countingChdb(sent: SentQueries): ModuleImporter {
  return async (specifier) => {
    // The engine itself (its `Session`) is started as bf starts it; only connections are counted.
    if (specifier !== 'chdb/connection') return import(specifier)
    const real = (await import(specifier)) as { createChdbConnection(options: { path: string }): ClientConnection }
    return {
      createChdbConnection(options: { path: string }): ClientConnection {
        const inner = real.createChdbConnection(options)
        return new Proxy(inner, {
          get(target, name, receiver) {
            const value: unknown = Reflect.get(target, name, receiver)
            if (typeof value !== 'function') return value
            if (name !== 'query' && name !== 'command' && name !== 'exec' && name !== 'insert') return value.bind(target)
            return (params: { query?: string; table?: string }) => {
              sent.texts.push(params.query ?? `INSERT INTO ${params.table ?? '?'}`)
              return (value as (params: unknown) => unknown).call(target, params)
            }
          },
        })
      },
    }
  }
}
