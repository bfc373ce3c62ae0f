import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Histories of workflows that ran on earlier code must replay on this code: a contact or a
// campaign running during a deploy continues on the new worker from its history. Each file in
// testing/histories is one run recorded on the time-skipping test server with the workflows of
// the commit it names, including what the versioned changes (patched ids) must keep as it was:
//
//   contact-retry-pause.json (5d250ee)       busy, a retry an hour later during which two
//     campaignChanged signals arrive (that code had no handler: an older worker ignored them
//     during a rolling deploy), then paused at the gate, another campaignChanged, a resume, answered
//   campaign-paused-signalled.json (5d250ee) pages, a campaignChanged it ignored, two paused
//     polls, the rest of the pages, completed
//   contact-by-outcome.json (855da2f)         byOutcome from the registry (patched 'strategy-registry'):
//     busy on the mobile, a campaignChanged during the retry's wait (the plan read again), busy,
//     no answer, then the home number answered
//   contact-speech-prepare.json (f951ebe)    prepareMessage (patched 'speech-prepare'): refused
//     (SpeechRejectedError 401), the speech_failure wait woken by a campaignChanged, a 429 retried by
//     Temporal, prepared; busy, a retry an hour later prepared again, answered
//   campaign-warm-speech.json (f951ebe)      warmTemplate first (patched 'warm-speech'), then
//     pages of two into two slots, completed
//   contact-best-hour.json (ff612aa)         bestHour with the answer counts (patched
//     'best-hour-estimates', a local answerRates before each decision): no answer at 10:00, then
//     at 19:00 on three evenings, answered; recorded with the strategy test kit's `history`
//   contact-local-prepare.json (83428aa)     the local prepareFromCache first (patched
//     'prepare-local-when-cached'): a hit, busy; a retry an hour later whose local step fails
//     once and then misses, so prepareMessage prepares it, busy; a hit again, answered
//   contact-lean-attempt.json (23cce7a)    the lean attempt (patched 'lean-attempt'): the plan, the first
//     gate and a cached hit in one local step (openAndGate), busy, recorded alone; an hour later the gate
//     and a failing store (a miss) in one step (gateAndPrepare), prepareMessage, no answer; an hour later
//     a hit again, answered, recorded and finished in one step (recordAndFinish)
//   strategy-mobile-then-home.json (6f612f0) the example strategy workflow (workflow type
//     mobileThenHome, from the contact step library): busy twice on the mobile from 10:00 in
//     Vladivostok, the wait for 18:00 woken by a campaignChanged (the plan read again, the gate
//     again), home answered at 18:00
//
// Each history names its workflow type in its first event, and the replay runs that type from
// the bundle: a strategy workflow's fixture replays its own code, not contactWorkflow.
//
// Recorded by running each scenario on a checkout of the commit it names (workflows/testing/fakeActivities.ts
// of that commit for the activities) and saving `JSON.stringify(await handle.fetchHistory())`; the
// f951ebe, 6f612f0, 83428aa and 23cce7a ones by workflows/testing/recordHistories.ts (the scenarios are kept there to be read;
// a fixture is never recorded again: a new scenario gets a new file).

const DIR = path.join(__dirname, 'testing/histories');

jest.setTimeout(60_000);

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } } });
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./index'), logger: new DefaultLogger('ERROR') });
});

const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();

test('there are recorded histories to replay', () => {
  expect(files).toEqual([
    'campaign-paused-signalled.json', 'campaign-warm-speech.json', 'contact-best-hour.json', 'contact-by-outcome.json',
    'contact-lean-attempt.json', 'contact-local-prepare.json', 'contact-retry-pause.json', 'contact-speech-prepare.json', 'strategy-mobile-then-home.json',
  ]);
});

test.each(files)('%s replays on the current workflows without a nondeterminism error', async (file) => {
  // protobufjs's own JSON of the History message (enum names, int64 as strings) reads back
  // with fromObject.
  const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(DIR, file), 'utf8')));
  // A real run of several steps (the lean attempt's three attempts fit in 49 events).
  expect(history.events.length).toBeGreaterThan(40);
  const type = history.events[0].workflowExecutionStartedEventAttributes?.workflowType?.name;
  expect(type).toBe(file.startsWith('campaign-') ? 'campaignWorkflow' : file.startsWith('strategy-mobile-then-home') ? 'mobileThenHome' : 'contactWorkflow');
  await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history)).resolves.toBeUndefined();
});
