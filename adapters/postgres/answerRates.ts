import type { AnswerHistory, HourCounts } from '../../domain/strategies/strategy';
import type { Queryable } from './transaction';

// When people answer, from the attempt rows: calls and answers by the local hour the call
// started, for one number (in every campaign), for the campaign's numbers with its prefix, and
// for the whole campaign, within a look-back window. One query, grouped by hour; what the
// counts mean (the blend, the bonus for hours seldom tried) is the strategy's
// (domain/strategies/bestHour.ts).
//
// Only outcomes that say whether someone picked up count: a congested trunk or a refused call
// says nothing about the subscriber's hours. Someone picked up when the call was answered (also
// briefly) or reached an operator; a machine is not a person, and a declined call was no answer.

export interface AnswerHistoryQuestion {
  campaignId: string;
  position: number;
  e164: string;
  /** The zone that reads the local hour of rows that recorded none. */
  zone: string;
  /** The end of the window (the workflow's now), epoch ms. */
  nowMs: number;
  lookbackDays: number;
  /** Leading digits after '+' that make the prefix. */
  prefixDigits: number;
}

interface HourRow {
  hour: number;
  number_attempts: number;
  number_answered: number;
  prefix_attempts: number;
  prefix_answered: number;
  campaign_attempts: number;
  campaign_answered: number;
}

const zeros = (): number[] => Array.from({ length: 24 }, () => 0);

export async function countAnswerHistory(db: Queryable, q: AnswerHistoryQuestion): Promise<AnswerHistory> {
  // The campaign's rows and the number's, through attempt_campaign_idx and attempt_e164_idx.
  const { rows } = await db.query<HourRow>(
    `WITH recent AS (
       SELECT campaign_id = $1 AS in_campaign, e164,
              outcome IN ('answered', 'answered_short', 'operator') AS picked_up,
              extract(hour FROM started_at AT TIME ZONE coalesce(time_zones[1], $4))::int AS hour
         FROM attempt
        WHERE (campaign_id = $1 OR e164 = $2)
          AND outcome IN ('answered', 'answered_short', 'operator', 'machine', 'busy', 'declined', 'no_answer')
          AND started_at > to_timestamp($5 / 1000.0) - make_interval(days => $6)
          AND started_at <= to_timestamp($5 / 1000.0)
     )
     SELECT hour,
            count(*) FILTER (WHERE e164 = $2)::int AS number_attempts,
            count(*) FILTER (WHERE e164 = $2 AND picked_up)::int AS number_answered,
            count(*) FILTER (WHERE in_campaign AND left(e164, $3) = left($2, $3))::int AS prefix_attempts,
            count(*) FILTER (WHERE in_campaign AND left(e164, $3) = left($2, $3) AND picked_up)::int AS prefix_answered,
            count(*) FILTER (WHERE in_campaign)::int AS campaign_attempts,
            count(*) FILTER (WHERE in_campaign AND picked_up)::int AS campaign_answered
       FROM recent
      GROUP BY hour`,
    [q.campaignId, q.e164, q.prefixDigits + 1, q.zone, q.nowMs, q.lookbackDays],
  );
  const level = (): { attempts: number[]; answered: number[] } => ({ attempts: zeros(), answered: zeros() });
  const number = level();
  const prefix = level();
  const campaign = level();
  for (const r of rows) {
    number.attempts[r.hour] = r.number_attempts;
    number.answered[r.hour] = r.number_answered;
    prefix.attempts[r.hour] = r.prefix_attempts;
    prefix.answered[r.hour] = r.prefix_answered;
    campaign.attempts[r.hour] = r.campaign_attempts;
    campaign.answered[r.hour] = r.campaign_answered;
  }
  return { position: q.position, number: number as HourCounts, prefix: prefix as HourCounts, campaign: campaign as HourCounts };
}
