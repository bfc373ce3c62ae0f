import type { Queryable } from '../adapters/postgres/transaction';
import { isAllowedAt, nextAllowedMomentIn, type CallingSchedule } from '../domain/callingSchedule';
import type { GateCheck, GateDecision, GateRefusal } from '../domain/types';
import { readCampaignRules } from '../adapters/postgres/campaignRules';
import { capChecks, capSlotFreesAt } from '../adapters/postgres/caps';
import { runGateCheck, type GateFacts } from '../adapters/postgres/gateCheck';
import { clearContactWait, setContactWait } from '../adapters/postgres/waits';
import { waitOfRefusal, type ContactWait } from '../domain/contactWaits';
import { countGateRefusal } from '../adapters/metrics/dialerMetrics';
import { GATE_CALENDAR_DAYS, gateRulesFor, hoursAllowedAt, type GateRules } from './gateRules';

// The "gate" step: may this number be called now? The workflow asks before it waits and
// prepares (a read); the call activity asks again with the wall clock right before the
// originate, in one statement that also reserves the cap slot, because a timer can fire
// late and another campaign's worker may be calling the same person (docs/architecture.md, "The last
// word before a call is the real clock's"). Every rule checked goes into the decision, which
// the attempt row keeps as the proof of why the call was or was not placed.
//
// One round trip: the worker checks the calling hours against its kept copy of the campaign's
// rules (activities/gateRules.ts), and gate_check (adapters/postgres/gateCheck.ts) does the rest
// under the advisory locks, after making sure that copy is still the campaign's. A refusal that
// changes the contact's wait costs a second statement.

export interface GateQuestion {
  campaignId: string;
  contactId: number;
  e164: string;
  /** The subscriber's candidate zones. */
  zones: string[];
  nowMs: number;
  /** The workflow's gate leaves the window to its timer; the last check reads it. */
  checkWindow: boolean;
  /** The last check before a call: reserve a cap slot for this channel if allowed. */
  reserve?: { channelId: string };
}

/** Checks in a row that may find the campaign's rules changed before the gate gives up. */
const RULE_READS = 3;

/**
 * Answers on `db`: a pool (the check and the reservation are one statement and its own
 * transaction) or a client in the caller's transaction (the locks are held until it ends).
 */
export async function gate(db: Queryable, q: GateQuestion): Promise<GateDecision> {
  return (await gateForCall(db, q)).decision;
}

/** What the gate's statement also said of the call it allows, for the call step. */
export interface CallFacts {
  decision: GateDecision;
  /** The campaign records answered calls. */
  records: boolean;
  /** The caller-ID pool the campaign dials from, if any. */
  callerIdPool: string | null;
}

/**
 * The gate's answer with the call's facts read in the same statement (the call step's last
 * check reads them here, not with statements of their own).
 */
export async function gateForCall(db: Queryable, q: GateQuestion): Promise<CallFacts> {
  for (let read = 1; ; read++) {
    const rules = await gateRulesFor(db, q.campaignId, q.zones, q.nowMs, { reread: read > 1 });
    const hoursAllowed = !q.checkWindow || hoursAllowedAt(rules, q.nowMs);
    const facts = await runGateCheck(db, {
      campaignId: q.campaignId, contactId: q.contactId, e164: q.e164, nowMs: q.nowMs,
      rulesDigest: rules.digest, calendarFrom: rules.calendarFrom, calendarDays: GATE_CALENDAR_DAYS, hoursAllowed,
      personCaps: rules.rules.personCaps, numberCaps: rules.rules.numberCaps, rolling: rules.rules.policy.period === 'rolling',
      day: rules.calendarFrom, weekStart: rules.weekStart, monthStart: rules.monthStart,
      reserve: q.reserve ? { channelId: q.reserve.channelId, kind: rules.rules.policy.callKind } : null,
    });
    if (!facts.contactFound) throw new Error(`contact ${q.contactId} does not exist`);
    if (facts.rulesCurrent) {
      const { records, callerIdPool } = facts.compliance;
      return { decision: await decide(db, q, rules, hoursAllowed, facts), records, callerIdPool };
    }
    // The campaign's schedule, policy, caps or calendar changed since the copy was read.
    if (read === RULE_READS) throw new Error(`campaign ${q.campaignId}: its rules changed during ${RULE_READS} checks in a row`);
  }
}

async function decide(
  db: Queryable, q: GateQuestion, g: GateRules, hoursAllowed: boolean, facts: Extract<GateFacts, { rulesCurrent: true }>,
): Promise<GateDecision> {
  const { rules } = g;
  const checks: GateCheck[] = [];
  let refusal: GateRefusal | null = null;
  let retryAtMs: number | null = null;
  const refuse = (r: GateRefusal): void => { refusal ??= r; };

  const state = facts.campaignState;
  checks.push({ rule: 'campaign_running', passed: state === 'running', detail: state });
  if (state === 'cancelled' || state === 'completed') refuse('campaign_stopped');
  else if (state !== 'running') refuse('campaign_paused'); // draft or paused: wait for a start

  const hit = facts.blacklistHit;
  checks.push({
    rule: 'not_blacklisted', passed: hit === null,
    detail: hit ? `entry ${hit.id} (${hit.kind}, group ${hit.groupName}): ${hit.reason}` : undefined,
  });
  if (hit) refuse('blacklisted');

  const { profile } = facts.compliance;
  checks.push({
    rule: 'rule_profile', passed: true,
    detail: `${profile.purpose}: policy ${profile.legalPolicy} (applied: ${rules.policy.name}, ${rules.policy.callKind}), `
      + `consent ${profile.consentRequired}, refusal list ${profile.honourRefusals ? 'applies' : 'not applied'}`,
  });

  const refused = facts.compliance.massCallRefusal;
  const onList = refused ? `refusal ${refused.id}${refused.operator ? ` via ${refused.operator}` : ''}${refused.refusedAt ? ` since ${refused.refusedAt}` : ''}` : undefined;
  checks.push({
    rule: 'not_mass_call_refused', passed: refused === null || !profile.honourRefusals,
    detail: refused && !profile.honourRefusals ? `${onList}, not applied to ${profile.purpose} calls` : onList,
  });
  if (refused && profile.honourRefusals) refuse('mass_call_refused');

  const { role, consentRequired, consent } = facts.compliance;
  const party = role === 'third_party' ? 'third party' : 'debtor';
  checks.push({
    rule: 'consent', passed: !consentRequired || consent !== null,
    detail: !consentRequired ? `${party}: not required`
      : consent ? `${party}: consent ${consent.id} (${consent.channel}) given ${consent.givenAt}${consent.expiresAt ? `, until ${consent.expiresAt}` : ''}`
        : `${party}: no consent for this number holds now`,
  });
  if (consentRequired && !consent) refuse('no_consent');

  if (q.checkWindow) {
    checks.push({ rule: 'calling_hours', passed: hoursAllowed, detail: `${rules.policy.name} policy, zones ${q.zones.join(', ')}` });
    if (!hoursAllowed) {
      refuse('outside_window');
      retryAtMs ??= nextAllowedMomentIn(rules.schedule, q.zones, q.nowMs);
    }
  }

  const caps = capChecks(facts.used, rules.personCaps, rules.numberCaps);
  for (const c of caps) {
    checks.push({ rule: `cap_${c.scope}_${c.period}`, passed: c.used < c.cap, detail: `${c.used} of ${c.cap} (${rules.policy.period})` });
  }
  const full = caps.filter((c) => c.used >= c.cap);
  if (full.length > 0) {
    refuse('cap_reached');
    const freesAt = capSlotFreesAt(full, rules.policy.period, g.localDays[0], q.nowMs, facts.rollingFreeAtMs);
    retryAtMs = Math.max(retryAtMs ?? 0, freesAt);
  }

  // gate_check decided (and reserved) on the same facts; a disagreement is a bug in one of them.
  if ((refusal === null) !== facts.allowed) {
    throw new Error(`gate: the statement ${facts.allowed ? 'allowed' : 'refused'} a call its checks ${refusal ? `refuse (${refusal})` : 'allow'}`);
  }
  const checkedAt = new Date(q.nowMs).toISOString();
  if (refusal) {
    countGateRefusal(refusal);
    const refused: GateDecision = { allowed: false, refusal, checks, checkedAt, ...(retryAtMs ? { retryAt: new Date(retryAtMs).toISOString() } : {}) };
    const wait = waitOfRefusal(refused, q.zones);
    if (wait && !sameWait(wait, facts.wait)) await setContactWait(db, { ...wait, contactId: q.contactId, campaignId: q.campaignId, atMs: q.nowMs });
    else if (!wait && facts.wait) await clearContactWait(db, q.contactId);
    return refused;
  }
  if (!q.checkWindow) await noteWaitForHours(db, q, g, facts.wait);
  return { allowed: true, checks, checkedAt };
}

/** The wait row already says this: writing it again would change nothing. */
const sameWait = (w: ContactWait, current: ContactWait | null): boolean =>
  current !== null && current.reason === w.reason && current.detail === w.detail && current.until === w.until;

/** Calendar days read when the hours are closed: the contact's timer may span a long holiday. */
const HOURS_LOOKAHEAD_DAYS = 400;

/**
 * The workflow's gate said yes without looking at the clock: its timer now sleeps until the
 * number's calling hours, after any retry interval still running (the workflow's
 * waitForCallingHours). That wait is written down here, for campaignWaits; an open window with
 * no interval left clears it (the contact goes on to call).
 */
async function noteWaitForHours(db: Queryable, q: GateQuestion, g: GateRules, current: ContactWait | null): Promise<void> {
  const retryUntilMs = current?.reason === 'retry_interval' && current.until ? Date.parse(current.until) : 0;
  const fromMs = Math.max(q.nowMs, retryUntilMs);
  const schedule: CallingSchedule = g.rules.schedule;
  if (fromMs === q.nowMs ? hoursAllowedAt(g, fromMs) : isAllowedAt(schedule, q.zones, fromMs)) {
    if (retryUntilMs <= q.nowMs && current) await clearContactWait(db, q.contactId);
    return;
  }
  const rules = await readCampaignRules(db, q.campaignId, g.calendarFrom, HOURS_LOOKAHEAD_DAYS);
  const next = nextAllowedMomentIn(rules.schedule, q.zones, fromMs);
  await setContactWait(db, {
    reason: 'calling_hours', detail: q.zones.join(','), until: next === null ? null : new Date(next).toISOString(),
    contactId: q.contactId, campaignId: q.campaignId, atMs: q.nowMs,
  });
}
