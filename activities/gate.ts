import type { Pool } from 'pg';
import { inTransaction, type Queryable } from '../adapters/postgres/transaction';
import { isAllowedAt, localDate, nextAllowedMomentIn } from '../domain/callingSchedule';
import type { GateCheck, GateDecision, GateRefusal } from '../domain/types';
import { findBlacklistEntry } from '../adapters/postgres/blacklist';
import { readCampaignRules } from '../adapters/postgres/campaignRules';
import { countCaps, lockPersonAndNumber, reserveCapSlot } from '../adapters/postgres/caps';
import { readPersonKey } from '../adapters/postgres/contacts';

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
    return { allowed: false, refusal, checks, checkedAt, ...(retryAtMs ? { retryAt: new Date(retryAtMs).toISOString() } : {}) };
  }
  if (q.reserve) {
    await reserveCapSlot(db, {
      channelId: q.reserve.channelId, personKey, e164: q.e164, campaignId: q.campaignId, contactId: q.contactId,
      kind: rules.policy.callKind, reservedAt: checkedAt, localDate: localDate(q.nowMs, zone),
    });
  }
  return { allowed: true, checks, checkedAt };
}
