import { z } from 'zod';
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
 * A campaign's `strategy` setting: a registered name and version, and parameters its schema
 * accepts (defaults filled in). Problems are named under the setting: `params.busy.retries`.
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
  return { name: choice.name, version: choice.version, params: parsed.data as Record<string, unknown> };
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
