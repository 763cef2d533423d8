import type { SqlRunner } from './sql-runner.js'

/** The source of truth: one row per conversation, as it is now. */
const CONVERSATION_D = `
CREATE TABLE conversation_d
(
    conversation_id String,
    customer_id String,
    profile_id String,
    agent_user_id String,
    ended_at DateTime
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ended_at)
ORDER BY (customer_id, ended_at, conversation_id)`

/**
 * The backfill's target, keyed as in production: the sort key holds the agent and the
 * end hour, which change after a conversation was labelled, so a re-labelled row does
 * not replace the stale one.
 */
const CONVERSATION_WITH_LABELS = `
CREATE TABLE conversation_with_labels
(
    conversation_id String,
    customer_id String,
    profile_id String,
    agent_user_id String,
    conversation_end_time DateTime,
    label String,
    labeled_at DateTime
)
ENGINE = ReplacingMergeTree(labeled_at)
PARTITION BY toYYYYMM(conversation_end_time)
ORDER BY (toStartOfHour(conversation_end_time), agent_user_id, conversation_id, customer_id, profile_id)`

/** (Re)creates the quickstart's two tables, empty, in the current database. */
export async function createQuickstartTables(runner: SqlRunner): Promise<void> {
  for (const table of ['conversation_d', 'conversation_with_labels']) await runner.command(`DROP TABLE IF EXISTS ${table}`)
  await runner.command(CONVERSATION_D)
  await runner.command(CONVERSATION_WITH_LABELS)
}
