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
}

export async function countCampaign(db: Queryable, campaignId: string): Promise<CampaignCounters> {
  const states = await db.query<{ state: string; n: number }>(
    'SELECT state, count(*)::int AS n FROM contact WHERE campaign_id = $1 GROUP BY state', [campaignId]);
  const calls = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM attempt WHERE campaign_id = $1 AND outcome <> 'refused'`, [campaignId]);
  const byState = Object.fromEntries(states.rows.map((r) => [r.state, r.n]));
  return { contacts: states.rows.reduce((s, r) => s + r.n, 0), byState, calls: calls.rows[0].n };
}
