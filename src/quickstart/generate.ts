import type { QuickstartOptions } from './options.js'
import { quickstartCustomerIds, quickstartDefaults } from './options.js'
import type { SqlParams, SqlRunner } from './sql-runner.js'

const AGENTS_PER_CUSTOMER = 40
const PROFILES_PER_CUSTOMER = 2_000
/** Percent of conversations whose agent or end hour changed after they were labelled. */
const CHANGED_PERCENT = 10

/**
 * Conversation `n` of `numbers(total)`: customer `n ÷ (days × perDay)`, day
 * `(n mod days × perDay) ÷ perDay`. Every value is a keyed hash of the seed and `n`, so
 * the same options always give the same rows, and ClickHouse makes them without any row
 * leaving bf.
 */
const CONVERSATIONS = `
SELECT
    n,
    {customers:Array(String)}[intDiv(n, {days:UInt32} * {perDay:UInt32}) + 1] AS customer_id,
    intDiv(n % ({days:UInt32} * {perDay:UInt32}), {perDay:UInt32}) AS day,
    lower(leftPad(hex(sipHash64({seed:UInt64}, 'conversation', n)), 16, '0')) AS conversation_id,
    lower(leftPad(hex(sipHash64({seed:UInt64}, 'profile', customer_id, cityHash64({seed:UInt64}, 'profile', n) % ${PROFILES_PER_CUSTOMER})), 16, '0')) AS profile_id,
    cityHash64({seed:UInt64}, 'agent', n) % ${AGENTS_PER_CUSTOMER} AS agent_index,
    lower(leftPad(hex(sipHash64({seed:UInt64}, 'agent', customer_id, agent_index)), 16, '0')) AS agent_user_id,
    cityHash64({seed:UInt64}, 'second', n) % 86400 AS second_of_day,
    addSeconds({start:DateTime}, day * 86400 + second_of_day) AS ended_at,
    cityHash64({seed:UInt64}, 'changed', n) % 100 < ${CHANGED_PERCENT} AS changed,
    cityHash64({seed:UInt64}, 'change', n) % 3 AS change_kind
FROM (SELECT number AS n FROM numbers({total:UInt64}))`

const INSERT_CONVERSATIONS = `
INSERT INTO conversation_d (conversation_id, customer_id, profile_id, agent_user_id, ended_at)
SELECT conversation_id, customer_id, profile_id, agent_user_id, ended_at
FROM (${CONVERSATIONS})`

/**
 * The labels as the cron left them: every conversation labelled as it is now, and each
 * changed one also still labelled as it was (another agent, another end hour of the same
 * day) — a second row under another sort key, which `FINAL` keeps.
 */
const INSERT_LABELS = `
INSERT INTO conversation_with_labels (conversation_id, customer_id, profile_id, agent_user_id, conversation_end_time, label, labeled_at)
SELECT
    conversation_id,
    customer_id,
    profile_id,
    if(stale AND change_kind != 1,
       lower(leftPad(hex(sipHash64({seed:UInt64}, 'agent', customer_id,
           (agent_index + 1 + cityHash64({seed:UInt64}, 'old-agent', n) % ${AGENTS_PER_CUSTOMER - 1}) % ${AGENTS_PER_CUSTOMER})), 16, '0')),
       agent_user_id) AS agent,
    if(stale AND change_kind != 0,
       addSeconds({start:DateTime}, day * 86400 + (second_of_day + 3600 * (1 + cityHash64({seed:UInt64}, 'old-hour', n) % 5)) % 86400),
       ended_at) AS end_time,
    ['assisted', 'unassisted'][1 + cityHash64({seed:UInt64}, 'label', n, stale) % 2] AS label,
    addSeconds(end_time, 60 + cityHash64({seed:UInt64}, 'labeled', n, stale) % 3600) AS labeled_at
FROM (${CONVERSATIONS})
ARRAY JOIN if(changed, [false, true], [false]) AS stale`

/** What was generated. */
export interface QuickstartData {
  customers: string[]
  /** RFC 3339 UTC: first day, and the day after the last (exclusive). */
  start: string
  end: string
  conversations: number
}

const DAY_MS = 86_400_000

/**
 * Fills `conversation_d` with `customers × days × conversationsPerDay` conversations and
 * `conversation_with_labels` with their labels, about 10% of them also under a stale
 * key (the duplicates the backfill exists to remove). Expects the tables empty
 * (`createQuickstartTables`). Rows are made by ClickHouse in two `INSERT … SELECT`s.
 */
export async function generateQuickstartData(runner: SqlRunner, options: QuickstartOptions): Promise<QuickstartData> {
  const start = options.start ?? quickstartDefaults.start
  const startMs = Date.parse(start)
  if (!Number.isFinite(startMs) || startMs % DAY_MS !== 0) throw new Error(`quickstart start must be a UTC midnight in RFC 3339, not ${start}`)
  for (const key of ['customers', 'days', 'conversationsPerDay'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`quickstart ${key} must be a whole number ≥ 1, not ${options[key]}`)
  }
  const customers = quickstartCustomerIds(options.customers)
  const conversations = options.customers * options.days * options.conversationsPerDay
  const params: SqlParams = {
    customers,
    days: options.days,
    perDay: options.conversationsPerDay,
    seed: options.seed ?? quickstartDefaults.seed,
    start: startMs / 1_000,
    total: conversations,
  }
  await runner.command(INSERT_CONVERSATIONS, params)
  await runner.command(INSERT_LABELS, params)
  return { customers, start: new Date(startMs).toISOString(), end: new Date(startMs + options.days * DAY_MS).toISOString(), conversations }
}
