-- Up Migration

-- Whether an answered call is recorded (the campaign's recordCalls or its purpose's rule profile)
-- and the caller-ID pool the campaign dials from come with the gate's last check, read in the
-- same statement, so the call step no longer asks the campaign again before every originate,
-- and asks for a pool's turn only when there is a pool (two round trips fewer per call).
CREATE OR REPLACE FUNCTION gate_compliance(p_campaign_id text, p_contact_id bigint, p_e164 text, p_now timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_profile rule_profile%ROWTYPE;
  v_refusal jsonb;
  v_role text;
  v_required boolean;
  v_consent jsonb;
  v_records boolean;
  v_pool text;
BEGIN
  SELECT p.* INTO v_profile FROM campaign k JOIN rule_profile p ON p.purpose = k.purpose WHERE k.id = p_campaign_id;
  SELECT k.record_calls OR v_profile.record_answered, k.caller_id_pool INTO v_records, v_pool FROM campaign k WHERE k.id = p_campaign_id;
  SELECT jsonb_build_object('id', r.id, 'refusedAt', r.refused_at, 'operator', r.operator) INTO v_refusal
    FROM mass_call_refusal r WHERE r.e164 = p_e164;
  SELECT c.role INTO v_role FROM contact c WHERE c.id = p_contact_id;
  v_required := CASE v_profile.consent_required WHEN 'everyone' THEN true WHEN 'third_parties' THEN v_role = 'third_party' ELSE false END;
  SELECT jsonb_build_object('id', k.id, 'givenAt', k.given_at, 'expiresAt', k.expires_at, 'channel', k.channel) INTO v_consent
    FROM contact_consent k
   WHERE k.contact_id = p_contact_id AND k.e164 = p_e164 AND k.given_at <= p_now
     AND (k.expires_at IS NULL OR k.expires_at > p_now) AND (k.withdrawn_at IS NULL OR k.withdrawn_at > p_now)
   ORDER BY k.given_at DESC, k.id DESC LIMIT 1;
  RETURN jsonb_build_object('refusal', v_refusal, 'role', v_role, 'consentRequired', v_required, 'consent', v_consent,
    'profile', jsonb_build_object('purpose', v_profile.purpose, 'legalPolicy', v_profile.legal_policy,
                                  'consentRequired', v_profile.consent_required, 'honourRefusals', v_profile.honour_mass_call_refusals),
    'records', coalesce(v_records, false), 'callerIdPool', v_pool,
    'allowed', (v_refusal IS NULL OR NOT v_profile.honour_mass_call_refusals) AND (NOT v_required OR v_consent IS NOT NULL));
END
$$;

-- Down Migration
CREATE OR REPLACE FUNCTION gate_compliance(p_campaign_id text, p_contact_id bigint, p_e164 text, p_now timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_profile rule_profile%ROWTYPE;
  v_refusal jsonb;
  v_role text;
  v_required boolean;
  v_consent jsonb;
BEGIN
  SELECT p.* INTO v_profile FROM campaign k JOIN rule_profile p ON p.purpose = k.purpose WHERE k.id = p_campaign_id;
  SELECT jsonb_build_object('id', r.id, 'refusedAt', r.refused_at, 'operator', r.operator) INTO v_refusal
    FROM mass_call_refusal r WHERE r.e164 = p_e164;
  SELECT c.role INTO v_role FROM contact c WHERE c.id = p_contact_id;
  v_required := CASE v_profile.consent_required WHEN 'everyone' THEN true WHEN 'third_parties' THEN v_role = 'third_party' ELSE false END;
  SELECT jsonb_build_object('id', k.id, 'givenAt', k.given_at, 'expiresAt', k.expires_at, 'channel', k.channel) INTO v_consent
    FROM contact_consent k
   WHERE k.contact_id = p_contact_id AND k.e164 = p_e164 AND k.given_at <= p_now
     AND (k.expires_at IS NULL OR k.expires_at > p_now) AND (k.withdrawn_at IS NULL OR k.withdrawn_at > p_now)
   ORDER BY k.given_at DESC, k.id DESC LIMIT 1;
  RETURN jsonb_build_object('refusal', v_refusal, 'role', v_role, 'consentRequired', v_required, 'consent', v_consent,
    'profile', jsonb_build_object('purpose', v_profile.purpose, 'legalPolicy', v_profile.legal_policy,
                                  'consentRequired', v_profile.consent_required, 'honourRefusals', v_profile.honour_mass_call_refusals),
    'allowed', (v_refusal IS NULL OR NOT v_profile.honour_mass_call_refusals) AND (NOT v_required OR v_consent IS NOT NULL));
END
$$;
