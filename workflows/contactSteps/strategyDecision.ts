import { answerHistoryQuery, nextAction } from '../../domain/strategies/registry';
import { DEFAULT_STRATEGY, type AnswerHistory, type NextAction } from '../../domain/strategies/strategy';
import type { ContactPhone } from '../../domain/types';
import { countAnswers } from './activityProxies';
import { ESTIMATES_PATCH } from './patches';
import { hasPatch, type Session } from './session';

// The decide step with the campaign's registered strategy (domain/strategies): what it says
// after the last attempt, on the plan of now and every attempt so far.

/**
 * The answer counts the plan's strategy decides on, when it asks for them (bestHour): for the
 * number just called, on the workflow's clock. Others decide without the query.
 */
export async function answerHistoryFor(s: Session, phone: ContactPhone, nowMs: number): Promise<AnswerHistory[] | undefined> {
  const query = answerHistoryQuery(s.plan.strategyChoice ?? DEFAULT_STRATEGY);
  if (!query || !hasPatch(s, ESTIMATES_PATCH)) return undefined;
  return [await countAnswers({
    campaignId: s.plan.campaignId, position: phone.position, e164: phone.e164, zone: phone.zones[0] ?? 'UTC', nowMs, ...query,
  })];
}

/** The plan's strategy decides on the answer counts, read from the attempt rows (bestHour). */
export function decidesOnAnswerHistory(s: Session): boolean {
  return answerHistoryQuery(s.plan.strategyChoice ?? DEFAULT_STRATEGY) !== null;
}

/**
 * What the campaign's strategy of now says after the last attempt (on `phone`). The contact
 * workflow walks the numbers in order: a call of another number is not something it can do yet,
 * and no built-in strategy asks for one, so it is taken as "move on".
 */
export function strategyAction(s: Session, phone: ContactPhone, nowMs: number, answerHistory?: AnswerHistory[]): NextAction {
  const { plan } = s;
  const action = nextAction(plan.strategyChoice ?? DEFAULT_STRATEGY, {
    numbers: plan.phones.map((p) => ({ position: p.position, kind: p.kind ?? null, zones: p.zones })),
    attempts: s.attemptLog, nowMs, campaign: plan.strategy,
    schedule: plan.schedule, ...(answerHistory ? { answerHistory } : {}),
  });
  return action.kind === 'call' && action.position !== phone.position ? { kind: 'next_number' } : action;
}
