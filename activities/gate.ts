import type { Pool } from 'pg';
import { inTransaction, type Queryable } from '../adapters/postgres/transaction';
import { isAllowedAt, localDate, nextAllowedMomentIn, type CallingSchedule } from '../domain/callingSchedule';
import type { GateCheck, GateDecision, GateRefusal } from '../domain/types';
import { findBlacklistEntry } from '../adapters/postgres/blacklist';
import { readCampaignRules } from '../adapters/postgres/campaignRules';
import { countCaps, lockPersonAndNumber, reserveCapSlot } from '../adapters/postgres/caps';
import { readPersonKey } from '../adapters/postgres/contacts';
import { clearContactWait, readContactWait, setContactWait } from '../adapters/postgres/waits';
import { waitOfRefusal } from '../domain/contactWaits';
import { countGateRefusal } from '../adapters/metrics/dialerMetrics';

// The "gate" step: may this number be called now? The workflow asks before it waits and
// prepares (a read); the call activity asks again with the wall clock right before the
// originate, in one transaction that also reserves the cap slot, because a timer can fire
// late and another campaign's worker may be calling the same person (docs/architecture.md, "The last
// word before a call is the real clock's"). Every rule checked goes into the decision, which
// the attempt row keeps as the proof of why the call was or was not placed.

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

export async function gate(pool: Pool, q: GateQuestion): Promise<GateDecision> {
  return q.reserve ? inTransaction(pool, (client) => checkRules(client, q)) : checkRules(pool, q);
}

async function checkRules(db: Queryable, q: GateQuestion): Promise<GateDecision> {
  const personKey = await readPersonKey(db, q.contactId);
  if (personKey === null) throw new Error(`contact ${q.contactId} does not exist`);
  if (q.reserve) await lockPersonAndNumber(db, personKey, q.e164);
  const zone = q.zones[0];
  const rules = await readCampaignRules(db, q.campaignId, localDate(q.nowMs, zone), 2);
  const checks: GateCheck[] = [];
  let refusal: GateRefusal | null = null;
  let retryAtMs: number | null = null;
  const refuse = (r: GateRefusal): void => { refusal ??= r; };

  checks.push({ rule: 'campaign_running', passed: rules.state === 'running', detail: rules.state });
  if (rules.state === 'cancelled' || rules.state === 'completed') refuse('campaign_stopped');
  else if (rules.state !== 'running') refuse('campaign_paused'); // draft or paused: wait for a start

  const hit = await findBlacklistEntry(db, q.e164, rules.ignoredBlacklistGroups, q.nowMs);
  checks.push({
    rule: 'not_blacklisted', passed: hit === null,
    detail: hit ? `entry ${hit.id} (${hit.kind}, group ${hit.groupName}): ${hit.reason}` : undefined,
  });
  if (hit) refuse('blacklisted');

  if (q.checkWindow) {
    const allowed = isAllowedAt(rules.schedule, q.zones, q.nowMs);
    checks.push({ rule: 'calling_hours', passed: allowed, detail: `${rules.policy.name} policy, zones ${q.zones.join(', ')}` });
    if (!allowed) {
      refuse('outside_window');
      retryAtMs ??= nextAllowedMomentIn(rules.schedule, q.zones, q.nowMs);
    }
  }

  const caps = await countCaps(db, {
    personKey, e164: q.e164, zone, nowMs: q.nowMs,
    personCaps: rules.personCaps, numberCaps: rules.numberCaps, period: rules.policy.period,
  });
  for (const c of caps.checks) {
    checks.push({ rule: `cap_${c.scope}_${c.period}`, passed: c.used < c.cap, detail: `${c.used} of ${c.cap} (${rules.policy.period})` });
  }
  if (!caps.allowed) {
    refuse('cap_reached');
    retryAtMs = Math.max(retryAtMs ?? 0, caps.retryAtMs ?? 0);
  }

  const checkedAt = new Date(q.nowMs).toISOString();
  if (refusal) {
    countGateRefusal(refusal);
    const refused: GateDecision = { allowed: false, refusal, checks, checkedAt, ...(retryAtMs ? { retryAt: new Date(retryAtMs).toISOString() } : {}) };
    const wait = waitOfRefusal(refused, q.zones);
    if (wait) await setContactWait(db, { ...wait, contactId: q.contactId, campaignId: q.campaignId, atMs: q.nowMs });
    else await clearContactWait(db, q.contactId);
    return refused;
  }
  if (!q.checkWindow) await noteWaitForHours(db, q, rules.schedule);
  if (q.reserve) {
    await reserveCapSlot(db, {
      channelId: q.reserve.channelId, personKey, e164: q.e164, campaignId: q.campaignId, contactId: q.contactId,
      kind: rules.policy.callKind, reservedAt: checkedAt, localDate: localDate(q.nowMs, zone),
    });
  }
  return { allowed: true, checks, checkedAt };
}

/** Calendar days read when the hours are closed: the contact's timer may span a long holiday. */
const HOURS_LOOKAHEAD_DAYS = 400;

/**
 * The workflow's gate said yes without looking at the clock: its timer now sleeps until the
 * number's calling hours, after any retry interval still running (the workflow's
 * waitForCallingHours). That wait is written down here, for campaignWaits; an open window with
 * no interval left clears it (the contact goes on to call).
 */
async function noteWaitForHours(db: Queryable, q: GateQuestion, schedule: CallingSchedule): Promise<void> {
  const current = await readContactWait(db, q.contactId);
  const retryUntilMs = current?.reason === 'retry_interval' && current.until ? Date.parse(current.until) : 0;
  const fromMs = Math.max(q.nowMs, retryUntilMs);
  if (isAllowedAt(schedule, q.zones, fromMs)) {
    if (retryUntilMs <= q.nowMs && current) await clearContactWait(db, q.contactId);
    return;
  }
  const rules = await readCampaignRules(db, q.campaignId, localDate(q.nowMs, q.zones[0]), HOURS_LOOKAHEAD_DAYS);
  const next = nextAllowedMomentIn(rules.schedule, q.zones, fromMs);
  await setContactWait(db, {
    reason: 'calling_hours', detail: q.zones.join(','), until: next === null ? null : new Date(next).toISOString(),
    contactId: q.contactId, campaignId: q.campaignId, atMs: q.nowMs,
  });
}
