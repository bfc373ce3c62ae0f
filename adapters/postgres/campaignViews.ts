import type { CampaignState } from '../../domain/outcomes';
import type { Row } from './rows';
import type { Queryable } from './transaction';

// What people and the ERP read about campaigns: the system's side of a campaign (its state and
// times; the settings are read by readCampaignSettings) and its contacts counted by state.

export interface CampaignFacts {
  id: string;
  state: CampaignState;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

type FactsRow = Pick<Row<'campaign'>, 'id' | 'created_at' | 'started_at' | 'finished_at'> & { state: CampaignState };

const toFacts = (r: FactsRow): CampaignFacts => ({
  id: r.id, state: r.state, createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
});

export async function readCampaignFacts(db: Queryable, campaignId: string): Promise<CampaignFacts | null> {
  const { rows } = await db.query<FactsRow>(
    'SELECT id, state, created_at, started_at, finished_at FROM campaign WHERE id = $1', [campaignId]);
  return rows[0] ? toFacts(rows[0]) : null;
}

/** A page of campaigns in id order after `after` (keyset paging: the thousandth page costs what the first does). */
export async function listCampaignFacts(db: Queryable, page: { after: string | null; first: number }): Promise<CampaignFacts[]> {
  const { rows } = await db.query<FactsRow>(
    `SELECT id, state, created_at, started_at, finished_at FROM campaign
      WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2`,
    [page.after, page.first],
  );
  return rows.map(toFacts);
}

/** The campaign's contacts by state, and its attempts placed (refusals are not calls). */
export interface CampaignCounters {
  contacts: number;
  byState: Record<string, number>;
  calls: number;
  /** Contacts done, by the outcome that ended them. */
  doneByOutcome: Record<string, number>;
  /** The gate's refusals recorded (attempt rows that placed no call), by the rule that refused. */
  refusedByRule: Record<string, number>;
}

export async function countCampaign(db: Queryable, campaignId: string): Promise<CampaignCounters> {
  const states = await db.query<{ state: string; outcome: string | null; n: number }>(
    `SELECT state, CASE WHEN state = 'done' THEN outcome::text END AS outcome, count(*)::int AS n
       FROM contact WHERE campaign_id = $1 GROUP BY 1, 2`, [campaignId]);
  // Two index scans (attempt_campaign_outcome_idx, attempt_campaign_refusal_idx), not a read of every row's proof.
  const attempts = await db.query<{ placed: boolean; rule: string | null; n: number }>(
    `SELECT true AS placed, NULL AS rule, count(*)::int AS n FROM attempt WHERE campaign_id = $1 AND outcome <> 'refused'
     UNION ALL
     SELECT false, gate ->> 'refusal', count(*)::int FROM attempt WHERE campaign_id = $1 AND outcome = 'refused' GROUP BY 2`,
    [campaignId]);
  const byState: Record<string, number> = {};
  const doneByOutcome: Record<string, number> = {};
  for (const r of states.rows) {
    byState[r.state] = (byState[r.state] ?? 0) + r.n;
    if (r.state === 'done') doneByOutcome[r.outcome ?? 'unknown'] = r.n;
  }
  const refusedByRule = Object.fromEntries(attempts.rows.filter((r) => !r.placed).map((r) => [r.rule ?? 'unknown', r.n]));
  return {
    contacts: states.rows.reduce((s, r) => s + r.n, 0), byState,
    calls: attempts.rows.find((r) => r.placed)?.n ?? 0, doneByOutcome, refusedByRule,
  };
}
