import { z } from 'zod';
import { AVAILABLE_HANDOVER_CHANNELS, type HandoverChannel } from '../handoverChannels';
import type { RetryStrategy } from '../types';
import { bestHourV1 } from './bestHour';
import { byOutcomeV1 } from './byOutcome';
import { simpleV1 } from './simple';
import { DEFAULT_STRATEGY, type AnswerHistoryQuery, type NextAction, type Strategy, type StrategyChoice, type StrategyInput } from './strategy';

// Every strategy the workflow knows, by name and version. A version, once a contact has run
// with it, never changes behaviour: a new behaviour is a new version (and a `patched` gate in
// the workflow if running contacts must not see it). See docs/strategies.md.

const REGISTERED: readonly Strategy<never>[] = [simpleV1, byOutcomeV1, bestHourV1] as unknown as Strategy<never>[];

const key = (name: string, version: number): string => `${name}@${version}`;
const BY_KEY = new Map(REGISTERED.map((s) => [key(s.name, s.version), s as unknown as Strategy<unknown>]));

export function findStrategy(name: string, version: number): Strategy<unknown> | undefined {
  return BY_KEY.get(key(name, version));
}

/** The registered strategies, for documentation and the API's descriptions. */
export function registeredStrategies(): { name: string; version: number }[] {
  return REGISTERED.map((s) => ({ name: s.name, version: s.version }));
}

/**
 * The hand-overs a strategy's parameters ask for that `available` channels cannot take, each
 * with its parameter's path under the params and why.
 */
export function unavailableHandovers(
  choice: StrategyChoice, available: ReadonlySet<HandoverChannel> = AVAILABLE_HANDOVER_CHANNELS,
): { param: (string | number)[]; message: string }[] {
  const strategy = findStrategy(choice.name, choice.version);
  if (!strategy?.handoverChannels) return [];
  return strategy.handoverChannels(strategy.params.parse(choice.params))
    .filter((h) => !available.has(h.channel))
    .map((h) => ({ param: [...h.param], message: `hand-over to ${h.channel} is not available (no ${h.channel} channel is configured)` }));
}

/**
 * The waits the campaign's strategy may put before a retry, each with the path of the setting
 * it comes from (`strategy.params.busy.intervalSeconds`, or simple's `retryIntervalSeconds`).
 */
export function strategyRetryWaits(choice: StrategyChoice, campaign: RetryStrategy): { path: (string | number)[]; seconds: number }[] {
  const strategy = findStrategy(choice.name, choice.version);
  if (!strategy?.retryWaits) return [];
  return strategy.retryWaits(strategy.params.parse(choice.params), campaign).map((w) => ({
    seconds: w.seconds,
    path: 'param' in w.source ? ['strategy', 'params', ...w.source.param] : [w.source.campaign],
  }));
}

/**
 * A campaign's `strategy` setting: a registered name and version, and parameters its schema
 * accepts (defaults filled in). Problems are named under the setting: `params.busy.retries`.
 * A hand-over to a channel the dialer does not have is refused too, by its parameter.
 */
export const strategySettingSchema = z.object({
  name: z.string().min(1, 'must not be empty').describe(`A registered strategy: ${REGISTERED.map((s) => key(s.name, s.version)).join(', ')}.`),
  version: z.number().int('must be a whole number').min(1).describe('The version of the strategy.'),
  params: z.record(z.string(), z.unknown()).default({}).describe('The strategy\'s parameters (see docs/strategies.md).'),
}).strict().transform((choice, ctx): StrategyChoice => {
  const strategy = findStrategy(choice.name, choice.version);
  if (!strategy) {
    const versions = REGISTERED.filter((s) => s.name === choice.name).map((s) => s.version);
    ctx.addIssue(versions.length === 0
      ? { code: z.ZodIssueCode.custom, path: ['name'], message: `no strategy named ${choice.name} (known: ${[...new Set(REGISTERED.map((s) => s.name))].join(', ')})` }
      : { code: z.ZodIssueCode.custom, path: ['version'], message: `${choice.name} has no version ${choice.version} (known: ${versions.join(', ')})` });
    return z.NEVER;
  }
  const parsed = strategy.params.safeParse(choice.params);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['params', ...issue.path] } as z.IssueData);
    return z.NEVER;
  }
  const result = { name: choice.name, version: choice.version, params: parsed.data as Record<string, unknown> };
  const handovers = unavailableHandovers(result);
  for (const h of handovers) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['params', ...h.param], message: h.message });
  if (handovers.length > 0) return z.NEVER;
  return result;
}).default(DEFAULT_STRATEGY);

/**
 * The next action of the plan's strategy. An unknown strategy (a plan written by a newer
 * worker) throws: in a workflow that fails the task, which is retried until a worker that
 * knows the strategy takes it, instead of deciding with the wrong rules.
 */
export function nextAction(choice: StrategyChoice, input: StrategyInput): NextAction {
  const strategy = findStrategy(choice.name, choice.version);
  if (!strategy) throw new Error(`unknown strategy ${key(choice.name, choice.version)}`);
  return strategy.next(strategy.params.parse(choice.params), input);
}

/**
 * What the plan's strategy asks the answer-history activity to count before it decides, or
 * null when it decides without the attempt rows (no I/O then).
 */
export function answerHistoryQuery(choice: StrategyChoice): AnswerHistoryQuery | null {
  const strategy = findStrategy(choice.name, choice.version);
  if (!strategy?.answerHistory) return null;
  return strategy.answerHistory(strategy.params.parse(choice.params));
}
