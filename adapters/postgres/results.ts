import type { Pool } from 'pg';
import QueryStream from 'pg-query-stream';
import type { Readable } from 'node:stream';
import type { CallOutcome, ContactState } from '../../domain/outcomes';
import type { AttemptFilter } from '../../domain/resultsFilter';
import type { GateDecision } from '../../domain/types';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// What happened, as people and the ERP read it: attempts a page at a time (keyset on id, never
// OFFSET, so the thousandth page costs what the first does), all of them as a stream for an
// export (a cursor: a million rows never sit in memory), and one contact with its attempts.

export type AttemptRow = Pick<Row<'attempt'>, 'id' | 'campaign_id' | 'contact_id' | 'phone_position' | 'e164' | 'number_attempt' |
  'hangup_cause' | 'dtmf' | 'listened_ms' | 'started_at' | 'answered_at' | 'ended_at' | 'time_zones' | 'caller_id'> & {
  outcome: CallOutcome;
  gate: GateDecision;
  external_id: string;
};

const ATTEMPT_COLUMNS = `a.id, a.campaign_id, a.contact_id, c.external_id, a.phone_position, a.e164, a.number_attempt, a.outcome,
  a.gate, a.hangup_cause, a.dtmf, a.listened_ms, a.started_at, a.answered_at, a.ended_at, a.time_zones, a.caller_id`;

/**
 * The filter as SQL, with only the conditions given (so the planner sees plain predicates):
 * a campaign's attempts in id order come from attempt_campaign_idx (campaign_id, id), with an
 * outcome from attempt_campaign_outcome_idx (campaign_id, outcome, id), a number's from
 * attempt_e164_idx (e164, id); the times are checked on the rows the index walks.
 */
export function attemptQuery(filter: AttemptFilter, page: { afterId: number | null; limit: number } | null): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (filter.campaignId) add((p) => `a.campaign_id = ${p}`, filter.campaignId);
  if (filter.number) add((p) => `a.e164 = ${p}`, filter.number);
  if (filter.outcome) add((p) => `a.outcome = ${p}::call_outcome`, filter.outcome);
  if (filter.from) add((p) => `a.started_at >= ${p}::timestamptz`, filter.from);
  if (filter.to) add((p) => `a.started_at < ${p}::timestamptz`, filter.to);
  if (page?.afterId != null) add((p) => `a.id > ${p}`, page.afterId);
  let sql = `SELECT ${ATTEMPT_COLUMNS} FROM attempt a JOIN contact c ON c.id = a.contact_id
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.id`;
  if (page) {
    params.push(page.limit);
    sql += ` LIMIT $${params.length}`;
  }
  return { sql, params };
}

/** Up to `first` attempts after the attempt `afterId`, and whether more follow. */
export async function listAttempts(
  db: Queryable, filter: AttemptFilter, page: { afterId: number | null; first: number },
): Promise<{ rows: AttemptRow[]; hasNextPage: boolean }> {
  const { sql, params } = attemptQuery(filter, { afterId: page.afterId, limit: page.first + 1 });
  const { rows } = await db.query<AttemptRow>(sql, params);
  return { rows: rows.slice(0, page.first), hasNextPage: rows.length > page.first };
}

/**
 * Every attempt of the filter as a stream of rows read through a cursor, a batch at a time,
 * at the pace the reader takes them. The connection goes back to the pool when the stream
 * ends, fails or is destroyed (a client that went away).
 */
export async function streamAttempts(pool: Pool, filter: AttemptFilter, batchSize = 500): Promise<Readable> {
  const client = await pool.connect();
  const { sql, params } = attemptQuery(filter, null);
  const stream = client.query(new QueryStream(sql, params, { batchSize, highWaterMark: batchSize }));
  let released = false;
  const release = (broken: boolean): void => {
    if (released) return;
    released = true;
    // A cursor closed half-way may leave the connection mid-protocol: it is not reused then.
    client.release(broken);
  };
  stream.once('end', () => release(false));
  stream.once('error', () => release(true));
  stream.once('close', () => release(!stream.readableEnded));
  return stream;
}

export interface ContactResultsRow {
  id: number;
  campaignId: string;
  externalId: string;
  state: ContactState;
  outcome: CallOutcome | null;
  calls: number;
  createdAt: Date;
  finishedAt: Date | null;
  numbers: { position: number; e164: string }[];
  wait: { reason: string; detail: string | null; until: Date | null; since: Date } | null;
  attempts: AttemptRow[];
}

/** One contact by the ERP's id, with its numbers, its current wait and every attempt in order. */
export async function readContactResults(db: Queryable, campaignId: string, externalId: string): Promise<ContactResultsRow | null> {
  const { rows } = await db.query<Pick<Row<'contact'>, 'id' | 'campaign_id' | 'external_id' | 'attempts' | 'created_at' | 'finished_at'> & {
    state: ContactState; outcome: CallOutcome | null; numbers: { position: number; e164: string }[];
    wait: { reason: string; detail: string | null; until: string | null; since: string } | null;
  }>(
    `SELECT c.id, c.campaign_id, c.external_id, c.state, c.outcome, c.attempts, c.created_at, c.finished_at,
            coalesce((SELECT json_agg(json_build_object('position', p.position, 'e164', p.e164) ORDER BY p.position)
                        FROM contact_phone p WHERE p.contact_id = c.id), '[]') AS numbers,
            (SELECT json_build_object('reason', w.reason, 'detail', w.detail, 'until', w.until, 'since', w.since)
               FROM contact_wait w WHERE w.contact_id = c.id) AS wait
       FROM contact c WHERE c.campaign_id = $1 AND c.external_id = $2`,
    [campaignId, externalId],
  );
  const c = rows[0];
  if (!c) return null;
  const attempts = await db.query<AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM attempt a JOIN contact c ON c.id = a.contact_id WHERE a.contact_id = $1 ORDER BY a.id`, [c.id]);
  return {
    id: Number(c.id), campaignId: c.campaign_id, externalId: c.external_id, state: c.state, outcome: c.outcome, calls: c.attempts,
    createdAt: c.created_at, finishedAt: c.finished_at, numbers: c.numbers,
    wait: c.wait && { ...c.wait, until: c.wait.until === null ? null : new Date(c.wait.until), since: new Date(c.wait.since) },
    attempts: attempts.rows,
  };
}
