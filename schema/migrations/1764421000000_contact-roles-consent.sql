-- Up Migration

-- Contact roles: a contact is the debtor (the default: every contact so far) or a third party,
-- one of the debtor's contact persons, linked to the debtor by the debtor's id in the ERP (its
-- external id, its person id, or both). 230-FZ art. 4 part 5 allows interaction with third
-- parties only with the debtor's consent and the third party's own non-objection; the gate calls
-- a third party only with recorded consent for the number (gate_compliance). A third party is a
-- person of its own for the caps: its person_id (or, without one, the contact itself), never the
-- debtor's.
ALTER TABLE contact
  ADD COLUMN role text NOT NULL DEFAULT 'debtor' CHECK (role IN ('debtor', 'third_party')),
  ADD COLUMN debtor_external_id text CHECK (debtor_external_id <> ''),
  ADD COLUMN debtor_person_id text CHECK (debtor_person_id <> ''),
  ADD CONSTRAINT contact_debtor_link_check
    CHECK ((role = 'third_party') = (debtor_external_id IS NOT NULL OR debtor_person_id IS NOT NULL)),
  ADD CONSTRAINT contact_third_party_person_check CHECK (person_id IS DISTINCT FROM debtor_person_id OR person_id IS NULL);

-- Consent evidence per contact and number: where it comes from, when it was given, the document
-- that proves it, how it was given, until when it holds, and when it was withdrawn. Rows are
-- evidence and are not rewritten but to add an expiry or a withdrawal: the same evidence given
-- again (contact, number, source, moment) is the same row.
CREATE TABLE contact_consent (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contact_id    bigint NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
  e164          text NOT NULL CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
  source        text NOT NULL CHECK (source <> ''),
  given_at      timestamptz NOT NULL,
  document_ref  text CHECK (document_ref <> ''),
  channel       text NOT NULL DEFAULT 'other' CHECK (channel IN ('written', 'electronic', 'recorded_call', 'other')),
  expires_at    timestamptz CHECK (expires_at > given_at),
  withdrawn_at  timestamptz CHECK (withdrawn_at >= given_at),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (contact_id, e164, source, given_at)
);
CREATE INDEX contact_consent_number_idx ON contact_consent (contact_id, e164);

-- The refusal list as before; and a third party needs a consent for the number that holds now:
-- given, not expired, not withdrawn (the latest given when several do).
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

-- Down Migration
CREATE OR REPLACE FUNCTION gate_compliance(p_campaign_id text, p_contact_id bigint, p_e164 text, p_now timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_refusal jsonb;
BEGIN
  SELECT jsonb_build_object('id', r.id, 'refusedAt', r.refused_at, 'operator', r.operator) INTO v_refusal
    FROM mass_call_refusal r WHERE r.e164 = p_e164;
  RETURN jsonb_build_object('refusal', v_refusal, 'allowed', v_refusal IS NULL);
END
$$;
DROP TABLE contact_consent;
ALTER TABLE contact DROP CONSTRAINT contact_third_party_person_check, DROP CONSTRAINT contact_debtor_link_check,
  DROP COLUMN debtor_person_id, DROP COLUMN debtor_external_id, DROP COLUMN role;
