import type { ContactWait, ContactWaitReason } from '../../domain/contactWaits';
import type { ConsentChannel, ContactRole } from '../../domain/consentInput';
import type { Caps } from '../../domain/legalPolicy';
import type { CampaignPurpose, ConsentRule } from '../../domain/ruleProfiles';
import type { CampaignState } from '../../domain/outcomes';
import type { BlacklistHit } from './blacklist';
import type { CapCounts } from './caps';
import type { Queryable } from './transaction';

// The gate's one round trip: gate_check (schema/migrations/1764320000000_gate-function.sql, with
// its compliance facts since 1764420000000_mass-call-refusals.sql) takes the advisory locks, checks
// that the rules the worker derived its inputs from are still the campaign's, reads the
// campaign's state, the blacklist, who may be called at all (gate_compliance: the refusal list,
// consent, the purpose's rule profile) and the caps, and reserves the cap slot when every rule
// allows the call. The worker explains the decision from the facts it returns.

export interface GateStatement {
  campaignId: string;
  contactId: number;
  e164: string;
  nowMs: number;
  /** The rules the inputs below were derived from: their digest and calendar days. */
  rulesDigest: string;
  calendarFrom: string;
  calendarDays: number;
  /** The worker's verdict on the calling hours (true when they are not checked). */
  hoursAllowed: boolean;
  personCaps: Caps;
  numberCaps: Caps;
  rolling: boolean;
  /** The subscriber's local date, and the first days of its ISO week and of its month. */
  day: string;
  weekStart: string;
  monthStart: string;
  /** Reserve a cap slot for this channel when allowed (the last check before a call). */
  reserve: { channelId: string; kind: string } | null;
}

/** gate_compliance's answer (schema/migrations/1764420000000_mass-call-refusals.sql and later). */
export interface ComplianceFacts {
  /** The refusal list's entry for the number: its subscriber refused mass calls (null: not on it). */
  massCallRefusal: { id: number; refusedAt: string | null; operator: string | null } | null;
  role: ContactRole;
  /** Whether this contact may be called on this number only with a consent. */
  consentRequired: boolean;
  /** The consent for the number that holds at the moment checked (the latest given), if any. */
  consent: { id: number; givenAt: string; expiresAt: string | null; channel: ConsentChannel } | null;
  /** The campaign's purpose and what its rule profile decided here. */
  profile: { purpose: CampaignPurpose; legalPolicy: string; consentRequired: ConsentRule; honourRefusals: boolean };
  /** An answered call is recorded: the campaign's recordCalls or its profile's record_answered (1764500000000). */
  records: boolean;
  /** The caller-ID pool the campaign dials from (null: none; the trunk's number or its own). */
  callerIdPool: string | null;
  /** Nothing here forbids the call. */
  allowed: boolean;
}

interface ComplianceJson {
  refusal: { id: number; refusedAt: string | null; operator: string | null } | null;
  role: ContactRole;
  consentRequired: boolean;
  consent: { id: number; givenAt: string; expiresAt: string | null; channel: ConsentChannel } | null;
  profile: ComplianceFacts['profile'];
  records: boolean;
  callerIdPool: string | null;
  allowed: boolean;
}

export type GateFacts =
  | { contactFound: false }
  | { contactFound: true; rulesCurrent: false }
  | {
    contactFound: true;
    rulesCurrent: true;
    campaignState: CampaignState;
    blacklistHit: BlacklistHit | null;
    compliance: ComplianceFacts;
    used: { person: CapCounts; number: CapCounts };
    /** Rolling periods: when every full cap has freed a slot (null: none is full). */
    rollingFreeAtMs: number | null;
    /** Every rule allowed the call (and its slot is reserved when one was asked for). */
    allowed: boolean;
    /** The contact's wait as it was before this check. */
    wait: ContactWait | null;
  };

interface GateCheckRow {
  contact_found: boolean;
  rules_current: boolean | null;
  campaign_state: CampaignState;
  blacklist_id: string | null;
  blacklist_kind: BlacklistHit['kind'] | null;
  blacklist_group: string | null;
  blacklist_reason: string | null;
  person_used: number[];
  number_used: number[];
  rolling_free_at: Date | null;
  allowed: boolean;
  wait_reason: ContactWaitReason | null;
  wait_detail: string | null;
  wait_until: Date | null;
  compliance: ComplianceJson;
}

const capArray = (c: Caps): (number | null)[] => [c.day, c.week, c.month];
const isoOrNull = (t: string | null): string | null => (t === null ? null : new Date(t).toISOString());

function complianceFacts(c: ComplianceJson): ComplianceFacts {
  const r = c.refusal;
  return {
    massCallRefusal: r && { id: Number(r.id), refusedAt: isoOrNull(r.refusedAt), operator: r.operator },
    role: c.role,
    consentRequired: c.consentRequired,
    consent: c.consent && {
      id: Number(c.consent.id), givenAt: new Date(c.consent.givenAt).toISOString(), expiresAt: isoOrNull(c.consent.expiresAt),
      channel: c.consent.channel,
    },
    profile: c.profile,
    records: c.records,
    callerIdPool: c.callerIdPool,
    allowed: c.allowed,
  };
}

const counts = ([day, week, month]: number[]): CapCounts => ({ day, week, month });

export async function runGateCheck(db: Queryable, s: GateStatement): Promise<GateFacts> {
  const { rows } = await db.query<GateCheckRow>({
    // Named: each connection parses and plans the call once.
    name: 'gate_check',
    text: 'SELECT * FROM gate_check($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)',
    values: [
      s.campaignId, s.contactId, s.e164, new Date(s.nowMs).toISOString(), s.rulesDigest, s.calendarFrom, s.calendarDays,
      s.hoursAllowed, capArray(s.personCaps), capArray(s.numberCaps), s.rolling, s.day, s.weekStart, s.monthStart,
      s.reserve?.channelId ?? null, s.reserve?.kind ?? null,
    ],
  });
  const r = rows[0];
  if (!r.contact_found) return { contactFound: false };
  if (!r.rules_current) return { contactFound: true, rulesCurrent: false };
  return {
    contactFound: true,
    rulesCurrent: true,
    campaignState: r.campaign_state,
    blacklistHit: r.blacklist_id === null ? null : {
      id: Number(r.blacklist_id), kind: r.blacklist_kind as BlacklistHit['kind'],
      groupName: r.blacklist_group as string, reason: r.blacklist_reason as string,
    },
    compliance: complianceFacts(r.compliance),
    used: { person: counts(r.person_used), number: counts(r.number_used) },
    rollingFreeAtMs: r.rolling_free_at?.getTime() ?? null,
    allowed: r.allowed,
    wait: r.wait_reason === null ? null
      : { reason: r.wait_reason, detail: r.wait_detail, until: r.wait_until?.toISOString() ?? null },
  };
}
