import type { Pool } from 'pg';
import { nextAllowedMomentIn } from '../domain/callingSchedule';
import type { ContactPlan, GateDecision } from '../domain/types';
import { inTransaction, type Queryable } from '../adapters/postgres/transaction';
import type { AudioStore } from '../adapters/speech/speechPort';
import { gate } from './gate';
import { plan } from './plan';
import { prepareFromCacheOn, type CachedPrepare, type PrepareRequest } from './prepare';

// The lean attempt's step before the call ('lean-attempt'): the workflow's gate and, when it
// allows the call, the message prepared from the speech store, as one local activity and one
// transaction; for a contact's first attempt the plan is read in it too. Nothing here reserves
// or locks: the gate's last check and the cap reservation stay in the call activity's own
// transaction. Rerunning it changes nothing twice (the gate writes the contact's wait as it
// is; the prepared message is one row per contact and template version).

export interface GatePrepareQuestion {
  campaignId: string;
  contactId: number;
  e164: string;
  zones: string[];
  /** The message to prepare when the gate allows (null: not now, the calling hours are closed, or nothing to say). */
  prepare: PrepareRequest | null;
}

export interface GatedPrepare {
  gate: GateDecision;
  /** The cached prepare's hit or miss; null when it was not asked or the gate refused. */
  prepared: CachedPrepare | null;
}

/** The contact's plan, and the gate (and message) of its first number when it has one. */
export interface OpenedContact {
  plan: ContactPlan;
  first: (GatedPrepare & { position: number }) | null;
}

interface Deps {
  pool: Pool;
  audio: AudioStore;
}

export async function gateAndPrepare(deps: Deps, nowMs: number, q: GatePrepareQuestion): Promise<GatedPrepare> {
  // The gate alone (before a wait) is its own statement's transaction: BEGIN and COMMIT would be two more round trips.
  if (!q.prepare) return gateAndPrepareOn(deps.pool, deps.audio, nowMs, q);
  return inTransaction(deps.pool, (db) => gateAndPrepareOn(db, deps.audio, nowMs, q));
}

/**
 * The plan, then the first number's gate and message, as the contact workflow's first attempt
 * asks for them (the message only when the number's calling hours are open now: else the
 * workflow sleeps first and asks again).
 */
export async function openAndGate(deps: Deps, nowMs: number, contactId: number): Promise<OpenedContact> {
  return inTransaction(deps.pool, async (db) => {
    const p = await plan(db, contactId);
    const [phone] = p.phones;
    if (!phone) return { plan: p, first: null };
    const at = nextAllowedMomentIn(p.schedule, phone.zones, nowMs);
    const open = at !== null && at <= nowMs;
    const gated = await gateAndPrepareOn(db, deps.audio, nowMs, {
      campaignId: p.campaignId, contactId: p.contactId, e164: phone.e164, zones: phone.zones,
      prepare: open ? prepareRequestOf(p) : null,
    });
    return { plan: p, first: { position: phone.position, ...gated } };
  });
}

/** What the prepare step is asked for a plan's message (null: the campaign says nothing). */
function prepareRequestOf(p: ContactPlan): PrepareRequest | null {
  if (p.templateId === null) return null;
  return { campaignId: p.campaignId, contactId: p.contactId, templateId: p.templateId, templateVersion: p.templateVersion ?? null };
}

async function gateAndPrepareOn(db: Queryable, audio: AudioStore, nowMs: number, q: GatePrepareQuestion): Promise<GatedPrepare> {
  const decision = await gate(db, { campaignId: q.campaignId, contactId: q.contactId, e164: q.e164, zones: q.zones, nowMs, checkWindow: false });
  if (!decision.allowed || !q.prepare) return { gate: decision, prepared: null };
  return { gate: decision, prepared: await prepareFromCacheOn(db, audio, q.prepare) };
}
