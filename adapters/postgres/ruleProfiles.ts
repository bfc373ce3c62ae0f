import type { Pool } from 'pg';
import { InputError } from '../../domain/inputError';
import type { CampaignPurpose, RuleProfile, RuleProfilePatch } from '../../domain/ruleProfiles';
import { writeAudit } from './apiAccess';
import type { Row } from './rows';
import { inTransaction, type Queryable } from './transaction';

// The rule profiles (table rule_profile): read by the gate in gate_compliance and by the rules
// the worker keeps (campaign_rules_digest, adapters/postgres/campaignRules.ts); read and edited
// here for the API, and by the recording step for record_answered and the retention days.

type ProfileRow = Row<'rule_profile'>;

const toProfile = (r: ProfileRow): RuleProfile => ({
  purpose: r.purpose as CampaignPurpose, legalPolicy: r.legal_policy as RuleProfile['legalPolicy'],
  consentRequired: r.consent_required as RuleProfile['consentRequired'], honourMassCallRefusals: r.honour_mass_call_refusals,
  synthesizedPromptIsConversation: r.synthesized_prompt_is_conversation, recordAnswered: r.record_answered,
  recordRetentionDays: r.record_retention_days, recordingRetentionDays: r.recording_retention_days, legalBasis: r.legal_basis,
  updatedBy: r.updated_by, updatedAt: r.updated_at.toISOString(),
});

/** The columns a patch's fields write. */
const COLUMN_OF: Record<keyof RuleProfilePatch, string> = {
  legalPolicy: 'legal_policy', consentRequired: 'consent_required', honourMassCallRefusals: 'honour_mass_call_refusals',
  synthesizedPromptIsConversation: 'synthesized_prompt_is_conversation', recordAnswered: 'record_answered',
  recordRetentionDays: 'record_retention_days', recordingRetentionDays: 'recording_retention_days', legalBasis: 'legal_basis',
};

export async function listRuleProfiles(db: Queryable): Promise<RuleProfile[]> {
  const { rows } = await db.query<ProfileRow>('SELECT * FROM rule_profile ORDER BY purpose');
  return rows.map(toProfile);
}

/** The profile a campaign's purpose selects; null when there is no such campaign. */
export async function readCampaignRuleProfile(db: Queryable, campaignId: string): Promise<RuleProfile | null> {
  const { rows } = await db.query<ProfileRow>(
    'SELECT p.* FROM campaign k JOIN rule_profile p ON p.purpose = k.purpose WHERE k.id = $1', [campaignId]);
  return rows[0] ? toProfile(rows[0]) : null;
}

/**
 * Changes a profile's rules, with an audit row of the fields and their values before and after.
 * The campaigns of that purpose apply it from their next gate check.
 */
export async function updateRuleProfile(
  pool: Pool, purpose: CampaignPurpose, patch: RuleProfilePatch, who: { actor: string; from: string | null },
): Promise<RuleProfile> {
  const fields = (Object.keys(patch) as (keyof RuleProfilePatch)[]).filter((f) => patch[f] !== undefined);
  return inTransaction(pool, async (db) => {
    const { rows: before } = await db.query<ProfileRow>('SELECT * FROM rule_profile WHERE purpose = $1 FOR UPDATE', [purpose]);
    if (before.length === 0) throw new InputError(`no rule profile for purpose ${purpose}`, [{ path: 'purpose', message: 'no such profile' }]);
    if (fields.length === 0) return toProfile(before[0]);
    const { rows } = await db.query<ProfileRow>(
      `UPDATE rule_profile SET ${fields.map((f, i) => `${COLUMN_OF[f]} = $${i + 2}`).join(', ')}, updated_by = $${fields.length + 2}, updated_at = now()
        WHERE purpose = $1 RETURNING *`,
      [purpose, ...fields.map((f) => patch[f]), who.actor]);
    const old = toProfile(before[0]);
    await writeAudit(db, {
      actor: who.actor, action: 'rule_profile.updated', entity: 'rule_profile', entityId: purpose, source: who.from,
      details: Object.fromEntries(fields.map((f) => [f, { from: old[f], to: patch[f] }])),
    });
    return toProfile(rows[0]);
  });
}
