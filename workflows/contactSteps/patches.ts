// The patch ids of the contact steps (Temporal's `patched`): each names a change of what the
// steps do, so contacts that ran before it replay as they ran. An id is never reused or renamed.

/**
 * Versioning of the wake-up by campaignChangedSignal: every wait (the hours, a retry, a refusal,
 * a pause) ends when the campaign changes, the plan is read again before the next gate, and
 * the wait for a retry comes after the gate like any other. Contacts that ran before it replay
 * as they ran (a signal an older worker ignored stays ignored).
 */
export const WAKE_PATCH = 'campaign-changes-wake';

/**
 * Versioning of the prepare step: a normal activity before every attempt that makes the message
 * into audio through the speech port and returns media references only (the text stays in
 * Postgres); a failure makes the contact wait ('speech_failure') and try again, never call.
 * Contacts that prepared before it replay with the local prepare, whose result held the text.
 */
export const SPEECH_PATCH = 'speech-prepare';

/**
 * Versioning of a dead trunk: a call the trunk did not carry (the call activity's
 * TrunkDownError: the trunk offline, no channel for the call, the carrier refusing us) is no
 * attempt: nothing is recorded and the strategy is not asked; the contact waits as the activity
 * said (its wait is trunk_down) and asks the gate again. Contacts that met such a failure
 * before it replay with the failed attempt they recorded.
 */
export const TRUNK_DOWN_PATCH = 'trunk-down-waits';

/**
 * Versioning of the answer counts: a strategy that decides on the attempt rows (bestHour) gets
 * them from a local activity before each decision. Only such strategies ask, so no other
 * contact's history changes; contacts that decided without them replay without them.
 */
export const ESTIMATES_PATCH = 'best-hour-estimates';

/**
 * Versioning of the lean prepare: before the prepareMessage activity, a local activity
 * (prepareFromCache) prepares the message when every piece's audio is in the speech store
 * already, sparing the server an activity task and a workflow task; a piece not there, or any
 * error, answers a miss and prepareMessage runs as before. Contacts that prepared before it
 * replay with the activity alone.
 */
export const LOCAL_PREPARE_PATCH = 'prepare-local-when-cached';

/**
 * Versioning of the lean attempt: the short Postgres steps folded so that an attempt costs one
 * local activity before the call and one after it (issue 20). Before: the contact workflow's
 * first attempt reads the plan, asks the gate for the first number and prepares the message
 * from the speech store in one local activity (openAndGate); every later attempt asks the
 * gate and prepares in one (gateAndPrepare); a miss still runs prepareMessage. After: the
 * workflow decides before it records, and an attempt that ends the contact is recorded and
 * finished in one local activity and one transaction (recordAndFinish). A contact that started
 * under it also takes every earlier patch as given (no marker of theirs in its history).
 * Contacts that started before it replay, and go on, as they ran.
 */
export const LEAN_PATCH = 'lean-attempt';
