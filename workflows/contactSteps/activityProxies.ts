import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { DialerActivities } from '../../activities';

// The contact's activities, as the contact steps reach them. Private to the step library: a
// strategy workflow gets the steps (gate → wait → prepare → call → record), never the call
// activity alone, so it cannot dial around the gate, the caps or the proof row. The lint
// (eslint.config.mjs) refuses this module, and activity proxies, in workflows/strategies/.
//
// Short Postgres steps are local activities (no extra server round trip each); the call is one
// normal activity that heartbeats.

export const {
  plan: loadPlan, gate: checkGate, prepare, record, finish: finishContact, speechFailed, answerRates: countAnswers, recordAndFinish,
  openAndGate, gateAndPrepare,
} =
  proxyLocalActivities<DialerActivities>({
    startToCloseTimeout: '15 seconds',
    retry: {
      initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '30 seconds',
      // Retrying cannot make a deleted contact exist: the workflow fails at once, naming it.
      nonRetryableErrorTypes: ['ContactNotFoundError'],
    },
  });

export const { prepareFromCache } = proxyLocalActivities<DialerActivities>({
  // Local disk and Postgres only; it answers a miss rather than fail, so a timeout or a lost
  // worker needs no patience here: prepareMessage runs instead.
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumAttempts: 2 },
});

export const { call: placeCall } = proxyActivities<DialerActivities>({
  // Ring time, the message, the DTMF wait and a conversation with an operator fit inside
  // this; a lost worker is noticed by the heartbeat timeout, not by this.
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  // A retried call activity could place a second call: the strategy decides about retries,
  // with the gate in front of every one, never Temporal's blind retry.
  retry: { maximumAttempts: 1 },
});

export const { prepareMessage } = proxyActivities<DialerActivities>({
  // A few synthesis requests (usually none: the pieces are cached) and an assembly; a slow
  // speech service holds no channel, because the call takes its channel only after this.
  startToCloseTimeout: '2 minutes',
  retry: {
    // A network error, 429 or 5xx (SpeechUnavailableError) is retried with backoff, about eight
    // minutes in all; then the contact waits like after any other failure and tries again.
    initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10,
    // Retrying the same request cannot help: a refused key or request, a variable the contact
    // lacks or cannot have said, a clip whose audio is gone, a deleted contact.
    nonRetryableErrorTypes: [
      'SpeechRejectedError', 'TemplateVariableError', 'TemplateValueError', 'TemplateClipError',
      'AudioClipMissingError', 'ContactNotFoundError',
    ],
  },
});
