-- Up Migration

-- The refusal list: numbers whose subscribers refused mass calls through their operator (the
-- rules in force since 2025-09-01, Federal Law 41-FZ of 01.04.2025 amending 126-FZ "On
-- communications"). One row a number: the gate refuses it whatever the campaign, and the API and
-- `npm run import:refusals` feed it (adapters/postgres/massCallRefusals.ts).
CREATE TABLE mass_call_refusal (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  e164        text NOT NULL UNIQUE CHECK (e164 ~ '^\+[1-9][0-9]{6,14}$'),
  -- When the subscriber refused, as the operator reports it (null: not reported).
  refused_at  timestamptz,
  operator    text CHECK (operator <> ''),
  source      text NOT NULL CHECK (source IN ('api', 'erp', 'import')),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- What decides whether this contact may be called on this number at all, beside the blacklist:
-- a JSON object the worker reads the proof from (adapters/postgres/gateCheck.ts), with `allowed`.
-- Later migrations replace it as the rules grow (consent, the campaign's rule profile); gate_check
-- calls it in its own statement, so the gate stays one round trip. PL/pgSQL for the same reason
-- as campaign_rules_digest: planned once per session.
CREATE FUNCTION gate_compliance(p_campaign_id text, p_contact_id bigint, p_e164 text, p_now timestamptz)
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

-- gate_check as before (1764320000000_gate-function.sql), with gate_compliance's answer among
-- its facts and in its decision. Its result gains a column, which CREATE OR REPLACE cannot do.
DROP FUNCTION gate_check(text, bigint, text, timestamptz, text, date, int, boolean, int[], int[], boolean, date, date, date, text, text);
CREATE FUNCTION gate_check(
  p_campaign_id text, p_contact_id bigint, p_e164 text, p_now timestamptz,
  p_rules_digest text, p_calendar_from date, p_calendar_days int,
  p_hours_allowed boolean, p_person_caps int[], p_number_caps int[],
  p_rolling boolean, p_day date, p_week_start date, p_month_start date,
  p_reserve_channel text, p_call_kind text,
  OUT contact_found boolean, OUT rules_current boolean, OUT campaign_state text,
  OUT blacklist_id bigint, OUT blacklist_kind text, OUT blacklist_group text, OUT blacklist_reason text,
  OUT person_used int[], OUT number_used int[], OUT rolling_free_at timestamptz, OUT allowed boolean,
  OUT wait_reason text, OUT wait_detail text, OUT wait_until timestamptz, OUT compliance jsonb)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_person text;
  v_ignored text[];
  v_digest text;
  v_spans interval[] := ARRAY[interval '24 hours', interval '168 hours', interval '720 hours'];
  v_at timestamptz;
BEGIN
  SELECT c.person_key INTO v_person FROM contact c WHERE c.id = p_contact_id;
  contact_found := FOUND;
  IF NOT contact_found THEN RETURN; END IF;
  IF p_reserve_channel IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('person:' || v_person, 0));
    PERFORM pg_advisory_xact_lock(hashtextextended('number:' || p_e164, 0));
  END IF;

  SELECT k.state::text, k.ignored_blacklist_groups, campaign_rules_digest(k.id, p_calendar_from, p_calendar_days)
    INTO campaign_state, v_ignored, v_digest FROM campaign k WHERE k.id = p_campaign_id;
  rules_current := v_digest IS NOT NULL AND v_digest = p_rules_digest;
  IF NOT rules_current THEN RETURN; END IF;

  SELECT b.id, b.kind, b.group_name, b.reason INTO blacklist_id, blacklist_kind, blacklist_group, blacklist_reason
    FROM blacklist_match(p_e164, v_ignored, p_now) b;
  -- Who may be called at all (the refusal list, and what later migrations add): gate_compliance.
  compliance := gate_compliance(p_campaign_id, p_contact_id, p_e164, p_now);

  -- Calls that count: every reservation not given back, of any campaign.
  IF p_rolling THEN
    SELECT ARRAY[count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[1]),
                 count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[2]), count(*)]::int[]
      INTO person_used FROM call_reservation r
     WHERE r.person_key = v_person AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[3];
    SELECT ARRAY[count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[1]),
                 count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[2]), count(*)]::int[]
      INTO number_used FROM call_reservation r
     WHERE r.e164 = p_e164 AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[3];
  ELSE
    SELECT ARRAY[count(*) FILTER (WHERE r.local_date = p_day), count(*) FILTER (WHERE r.local_date >= p_week_start),
                 count(*) FILTER (WHERE r.local_date >= p_month_start)]::int[]
      INTO person_used FROM call_reservation r
     WHERE r.person_key = v_person AND r.state <> 'released' AND r.local_date >= least(p_week_start, p_month_start);
    SELECT ARRAY[count(*) FILTER (WHERE r.local_date = p_day), count(*) FILTER (WHERE r.local_date >= p_week_start),
                 count(*) FILTER (WHERE r.local_date >= p_month_start)]::int[]
      INTO number_used FROM call_reservation r
     WHERE r.e164 = p_e164 AND r.state <> 'released' AND r.local_date >= least(p_week_start, p_month_start);
  END IF;

  allowed := campaign_state = 'running' AND blacklist_id IS NULL AND p_hours_allowed
    AND (compliance->>'allowed')::boolean;
  FOR i IN 1..3 LOOP
    -- A full cap. In a rolling period its slot frees when the cap-th most recent call leaves it.
    IF p_person_caps[i] IS NOT NULL AND person_used[i] >= p_person_caps[i] THEN
      allowed := false;
      IF p_rolling THEN
        v_at := NULL;
        IF p_person_caps[i] > 0 THEN
          SELECT r.reserved_at + v_spans[i] INTO v_at FROM call_reservation r
           WHERE r.person_key = v_person AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[i]
           ORDER BY r.reserved_at DESC OFFSET p_person_caps[i] - 1 LIMIT 1;
        END IF;
        rolling_free_at := greatest(rolling_free_at,
          CASE WHEN p_person_caps[i] = 0 THEN p_now + v_spans[i] ELSE coalesce(v_at, p_now) END);
      END IF;
    END IF;
    IF p_number_caps[i] IS NOT NULL AND number_used[i] >= p_number_caps[i] THEN
      allowed := false;
      IF p_rolling THEN
        v_at := NULL;
        IF p_number_caps[i] > 0 THEN
          SELECT r.reserved_at + v_spans[i] INTO v_at FROM call_reservation r
           WHERE r.e164 = p_e164 AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[i]
           ORDER BY r.reserved_at DESC OFFSET p_number_caps[i] - 1 LIMIT 1;
        END IF;
        rolling_free_at := greatest(rolling_free_at,
          CASE WHEN p_number_caps[i] = 0 THEN p_now + v_spans[i] ELSE coalesce(v_at, p_now) END);
      END IF;
    END IF;
  END LOOP;

  -- Once per channel: a retried check reserves nothing twice.
  IF allowed AND p_reserve_channel IS NOT NULL THEN
    INSERT INTO call_reservation (channel_id, person_key, e164, campaign_id, contact_id, kind, reserved_at, local_date)
    VALUES (p_reserve_channel, v_person, p_e164, p_campaign_id, p_contact_id, p_call_kind, p_now, p_day)
    ON CONFLICT (channel_id) DO NOTHING;
  END IF;

  SELECT w.reason, w.detail, w.until INTO wait_reason, wait_detail, wait_until
    FROM contact_wait w WHERE w.contact_id = p_contact_id;
END
$$;

-- Down Migration
DROP FUNCTION gate_check(text, bigint, text, timestamptz, text, date, int, boolean, int[], int[], boolean, date, date, date, text, text);
CREATE FUNCTION gate_check(
  p_campaign_id text, p_contact_id bigint, p_e164 text, p_now timestamptz,
  p_rules_digest text, p_calendar_from date, p_calendar_days int,
  p_hours_allowed boolean, p_person_caps int[], p_number_caps int[],
  p_rolling boolean, p_day date, p_week_start date, p_month_start date,
  p_reserve_channel text, p_call_kind text,
  OUT contact_found boolean, OUT rules_current boolean, OUT campaign_state text,
  OUT blacklist_id bigint, OUT blacklist_kind text, OUT blacklist_group text, OUT blacklist_reason text,
  OUT person_used int[], OUT number_used int[], OUT rolling_free_at timestamptz, OUT allowed boolean,
  OUT wait_reason text, OUT wait_detail text, OUT wait_until timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_person text;
  v_ignored text[];
  v_digest text;
  v_spans interval[] := ARRAY[interval '24 hours', interval '168 hours', interval '720 hours'];
  v_at timestamptz;
BEGIN
  SELECT c.person_key INTO v_person FROM contact c WHERE c.id = p_contact_id;
  contact_found := FOUND;
  IF NOT contact_found THEN RETURN; END IF;
  IF p_reserve_channel IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('person:' || v_person, 0));
    PERFORM pg_advisory_xact_lock(hashtextextended('number:' || p_e164, 0));
  END IF;

  SELECT k.state::text, k.ignored_blacklist_groups, campaign_rules_digest(k.id, p_calendar_from, p_calendar_days)
    INTO campaign_state, v_ignored, v_digest FROM campaign k WHERE k.id = p_campaign_id;
  rules_current := v_digest IS NOT NULL AND v_digest = p_rules_digest;
  IF NOT rules_current THEN RETURN; END IF;

  SELECT b.id, b.kind, b.group_name, b.reason INTO blacklist_id, blacklist_kind, blacklist_group, blacklist_reason
    FROM blacklist_match(p_e164, v_ignored, p_now) b;

  -- Calls that count: every reservation not given back, of any campaign.
  IF p_rolling THEN
    SELECT ARRAY[count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[1]),
                 count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[2]), count(*)]::int[]
      INTO person_used FROM call_reservation r
     WHERE r.person_key = v_person AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[3];
    SELECT ARRAY[count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[1]),
                 count(*) FILTER (WHERE r.reserved_at > p_now - v_spans[2]), count(*)]::int[]
      INTO number_used FROM call_reservation r
     WHERE r.e164 = p_e164 AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[3];
  ELSE
    SELECT ARRAY[count(*) FILTER (WHERE r.local_date = p_day), count(*) FILTER (WHERE r.local_date >= p_week_start),
                 count(*) FILTER (WHERE r.local_date >= p_month_start)]::int[]
      INTO person_used FROM call_reservation r
     WHERE r.person_key = v_person AND r.state <> 'released' AND r.local_date >= least(p_week_start, p_month_start);
    SELECT ARRAY[count(*) FILTER (WHERE r.local_date = p_day), count(*) FILTER (WHERE r.local_date >= p_week_start),
                 count(*) FILTER (WHERE r.local_date >= p_month_start)]::int[]
      INTO number_used FROM call_reservation r
     WHERE r.e164 = p_e164 AND r.state <> 'released' AND r.local_date >= least(p_week_start, p_month_start);
  END IF;

  allowed := campaign_state = 'running' AND blacklist_id IS NULL AND p_hours_allowed;
  FOR i IN 1..3 LOOP
    -- A full cap. In a rolling period its slot frees when the cap-th most recent call leaves it.
    IF p_person_caps[i] IS NOT NULL AND person_used[i] >= p_person_caps[i] THEN
      allowed := false;
      IF p_rolling THEN
        v_at := NULL;
        IF p_person_caps[i] > 0 THEN
          SELECT r.reserved_at + v_spans[i] INTO v_at FROM call_reservation r
           WHERE r.person_key = v_person AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[i]
           ORDER BY r.reserved_at DESC OFFSET p_person_caps[i] - 1 LIMIT 1;
        END IF;
        rolling_free_at := greatest(rolling_free_at,
          CASE WHEN p_person_caps[i] = 0 THEN p_now + v_spans[i] ELSE coalesce(v_at, p_now) END);
      END IF;
    END IF;
    IF p_number_caps[i] IS NOT NULL AND number_used[i] >= p_number_caps[i] THEN
      allowed := false;
      IF p_rolling THEN
        v_at := NULL;
        IF p_number_caps[i] > 0 THEN
          SELECT r.reserved_at + v_spans[i] INTO v_at FROM call_reservation r
           WHERE r.e164 = p_e164 AND r.state <> 'released' AND r.reserved_at > p_now - v_spans[i]
           ORDER BY r.reserved_at DESC OFFSET p_number_caps[i] - 1 LIMIT 1;
        END IF;
        rolling_free_at := greatest(rolling_free_at,
          CASE WHEN p_number_caps[i] = 0 THEN p_now + v_spans[i] ELSE coalesce(v_at, p_now) END);
      END IF;
    END IF;
  END LOOP;

  -- Once per channel: a retried check reserves nothing twice.
  IF allowed AND p_reserve_channel IS NOT NULL THEN
    INSERT INTO call_reservation (channel_id, person_key, e164, campaign_id, contact_id, kind, reserved_at, local_date)
    VALUES (p_reserve_channel, v_person, p_e164, p_campaign_id, p_contact_id, p_call_kind, p_now, p_day)
    ON CONFLICT (channel_id) DO NOTHING;
  END IF;

  SELECT w.reason, w.detail, w.until INTO wait_reason, wait_detail, wait_until
    FROM contact_wait w WHERE w.contact_id = p_contact_id;
END
$$;
DROP FUNCTION gate_compliance(text, bigint, text, timestamptz);
DROP TABLE mass_call_refusal;
