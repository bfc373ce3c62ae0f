-- Up Migration

-- Rule profiles: what the law asks of a call depends on why it is made. Every campaign has a
-- purpose, and the purpose's profile says which legal policy applies (the stricter of it and the
-- campaign's own legalPolicy), who may be called only with consent, whether the refusal list of
-- mass calls applies, whether answered calls are recorded and how long records and recordings are
-- kept. The interpretations a profile chooses are settings of their own, each with its preset.
-- Presets below; an admin edits them through the API (apps/api/src/compliance). docs/compliance.md
-- explains each preset with its legal references.
CREATE TABLE rule_profile (
  purpose                   text PRIMARY KEY CHECK (purpose IN ('debt_collection', 'service', 'advertising', 'emergency')),
  legal_policy              text NOT NULL CHECK (legal_policy IN ('none', 'ru_230fz')),
  -- Who is called only with a consent for the number that holds: everyone, third parties, nobody.
  consent_required          text NOT NULL CHECK (consent_required IN ('everyone', 'third_parties', 'nobody')),
  -- Interpretation: the refusal list of mass calls (2025) applies to this purpose's calls.
  honour_mass_call_refusals boolean NOT NULL,
  -- Interpretation (467-FZ): a synthesized message with a key prompt counts as a conversation
  -- (its caps), not as a message: the policy's call kind unless the campaign names one.
  synthesized_prompt_is_conversation boolean NOT NULL DEFAULT true,
  -- Record every answered call (read by the recording step).
  record_answered           boolean NOT NULL,
  -- How long attempt records and call recordings are kept, in days.
  record_retention_days     int NOT NULL CHECK (record_retention_days > 0),
  recording_retention_days  int NOT NULL CHECK (recording_retention_days > 0),
  -- The laws the profile encodes, as people cite them.
  legal_basis               text NOT NULL CHECK (legal_basis <> ''),
  updated_by                text NOT NULL DEFAULT 'preset',
  updated_at                timestamptz NOT NULL DEFAULT now()
);

INSERT INTO rule_profile (purpose, legal_policy, consent_required, honour_mass_call_refusals, synthesized_prompt_is_conversation,
                          record_answered, record_retention_days, recording_retention_days, legal_basis) VALUES
  ('debt_collection', 'ru_230fz', 'third_parties', true, true, true, 1095, 1095,
   '230-FZ art. 7 (hours, caps) and art. 4 part 5 (third parties only with consent); 467-FZ (a robot call is a conversation); '
   || 'MoJ order No. 134 of 2024-05-06 (conversations recorded, kept at least 3 years); 126-FZ as amended by 41-FZ (refusal of mass calls, from 2025-09-01); '
   || '152-FZ art. 5 part 7 (personal data kept no longer than needed)'),
  ('service', 'none', 'third_parties', true, true, false, 365, 90,
   '126-FZ as amended by 41-FZ (refusal of mass calls, from 2025-09-01); 152-FZ art. 5 part 7 and art. 6 (a third party''s data only with consent; kept no longer than needed)'),
  ('advertising', 'none', 'everyone', true, true, false, 365, 90,
   '38-FZ art. 18 part 1 (advertising by telephone only with the subscriber''s prior consent); 126-FZ as amended by 41-FZ (refusal of mass calls); '
   || '152-FZ art. 5 part 7'),
  ('emergency', 'none', 'nobody', false, true, false, 365, 90,
   '152-FZ art. 6 part 1 item 6 (processing to protect life and health without consent); 41-FZ''s refusal of mass calls read as not covering warnings of emergencies; '
   || '152-FZ art. 5 part 7');

-- Existing campaigns under 230-FZ collect debts; the others inform.
ALTER TABLE campaign ADD COLUMN purpose text NOT NULL DEFAULT 'service' REFERENCES rule_profile (purpose);
UPDATE campaign SET purpose = 'debt_collection' WHERE legal_policy = 'ru_230fz';

-- The rules the worker keeps now include the profile's policy and interpretation: an edited
-- profile makes every kept copy stale, as an edited campaign does.
CREATE OR REPLACE FUNCTION campaign_rules_digest(p_campaign_id text, p_calendar_from date, p_calendar_days int)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT md5(ROW(k.window_start, k.window_end, k.weekly_hours, k.start_date, k.end_date, k.legal_policy,
                   k.policy_options, k.caps, k.calendar_country, p.legal_policy, p.synthesized_prompt_is_conversation,
                   (SELECT string_agg(d.day || ':' || d.kind, ',' ORDER BY d.day) FROM calendar_day d
                     WHERE d.country = k.calendar_country
                       AND d.day BETWEEN p_calendar_from - 1 AND p_calendar_from + p_calendar_days))::text)
      FROM campaign k JOIN rule_profile p ON p.purpose = k.purpose WHERE k.id = p_campaign_id);
END
$$;

-- The profile decides who needs consent (everyone, third parties, nobody) and whether the refusal
-- list applies; both are read fresh on every check.
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

-- Down Migration
CREATE OR REPLACE FUNCTION gate_compliance(p_campaign_id text, p_contact_id bigint, p_e164 text, p_now timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_refusal jsonb;
  v_role text;
  v_required boolean;
  v_consent jsonb;
BEGIN
  SELECT jsonb_build_object('id', r.id, 'refusedAt', r.refused_at, 'operator', r.operator) INTO v_refusal
    FROM mass_call_refusal r WHERE r.e164 = p_e164;
  SELECT c.role INTO v_role FROM contact c WHERE c.id = p_contact_id;
  v_required := v_role = 'third_party';
  SELECT jsonb_build_object('id', k.id, 'givenAt', k.given_at, 'expiresAt', k.expires_at, 'channel', k.channel) INTO v_consent
    FROM contact_consent k
   WHERE k.contact_id = p_contact_id AND k.e164 = p_e164 AND k.given_at <= p_now
     AND (k.expires_at IS NULL OR k.expires_at > p_now) AND (k.withdrawn_at IS NULL OR k.withdrawn_at > p_now)
   ORDER BY k.given_at DESC, k.id DESC LIMIT 1;
  RETURN jsonb_build_object('refusal', v_refusal, 'role', v_role, 'consentRequired', v_required, 'consent', v_consent,
    'allowed', v_refusal IS NULL AND (NOT v_required OR v_consent IS NOT NULL));
END
$$;
CREATE OR REPLACE FUNCTION campaign_rules_digest(p_campaign_id text, p_calendar_from date, p_calendar_days int)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    SELECT md5(ROW(k.window_start, k.window_end, k.weekly_hours, k.start_date, k.end_date, k.legal_policy,
                   k.policy_options, k.caps, k.calendar_country,
                   (SELECT string_agg(d.day || ':' || d.kind, ',' ORDER BY d.day) FROM calendar_day d
                     WHERE d.country = k.calendar_country
                       AND d.day BETWEEN p_calendar_from - 1 AND p_calendar_from + p_calendar_days))::text)
      FROM campaign k WHERE k.id = p_campaign_id);
END
$$;
ALTER TABLE campaign DROP COLUMN purpose;
DROP TABLE rule_profile;
