-- Up Migration

-- The gate in one round trip (activities/gate.ts). Before, its last check cost nine: BEGIN, the
-- person, two advisory locks, the campaign's rules, the blacklist, the caps, the reservation,
-- COMMIT. Now the worker checks the calling hours against the campaign's rules it keeps between
-- calls, and one call of gate_check does the rest under the locks, after making sure those rules
-- are still the campaign's (their digest): a stale copy gets nothing done and is read again.

-- Which blacklist entry refuses a number at a moment: exact, a prefix of it, or a range holding
-- it, not expired and not in a group the campaign ignores; the lowest id when several do. Three
-- index probes, one per kind: an OR across them would scan the table. The gate and the API's
-- "is this number blocked?" share it (adapters/postgres/blacklist.ts).
CREATE FUNCTION blacklist_match(p_e164 text, p_ignored_groups text[], p_at timestamptz)
RETURNS TABLE (id bigint, kind text, group_name text, reason text)
LANGUAGE sql STABLE AS $$
  SELECT b.id, b.kind, b.group_name, b.reason FROM (
      SELECT * FROM blacklist WHERE kind = 'exact' AND e164 = p_e164
      UNION ALL
      SELECT * FROM blacklist WHERE kind = 'prefix'
         AND prefix = ANY (ARRAY(SELECT left(p_e164, n) FROM generate_series(2, length(p_e164)) n))
      UNION ALL
      SELECT * FROM blacklist WHERE kind = 'range'
         AND range_from <= ltrim(p_e164, '+')::bigint AND range_to >= ltrim(p_e164, '+')::bigint) b
   WHERE (b.expires_at IS NULL OR b.expires_at > p_at)
     AND NOT (b.group_name = ANY (p_ignored_groups))
   ORDER BY b.id LIMIT 1
$$;

-- What the worker derives the calling hours and the caps from (adapters/postgres/campaignRules.ts):
-- the campaign's schedule, policy and caps, and its country's calendar days around a local date.
-- Any change to one of them changes the digest; the state and the ignored groups are not in it,
-- gate_check reads them fresh.
CREATE FUNCTION campaign_rules_digest(p_campaign_id text, p_calendar_from date, p_calendar_days int)
RETURNS text
-- PL/pgSQL, not SQL: a session plans its query once (a SQL function with a FROM is planned anew on
-- every call, which cost more than the rest of the gate together).
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

-- The gate's check, and with p_reserve_channel the cap slot of the call about to be placed. The
-- caller passes what it derived from the rules of digest p_rules_digest: the hours verdict, the
-- effective caps (day, week, month; null: no cap), the period kind and the subscriber's local day,
-- week and month starts. With a reservation, advisory locks on the person, then the number (the
-- same order everywhere, so two gates never wait on each other crosswise) serialise every
-- check-and-reserve of that person and number across workers and campaigns until the transaction
-- ends: the statement's own when called alone, the caller's otherwise. Each statement below takes
-- a new snapshot (READ COMMITTED), so the counts taken after the locks see every reservation
-- committed before them.
-- Returns no contact_found when the contact does not exist, and rules_current false (with nothing
-- done) when the rules changed; else the facts the decision is explained by, the decision, and the
-- contact's wait as it was.
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

-- Down Migration
DROP FUNCTION gate_check(text, bigint, text, timestamptz, text, date, int, boolean, int[], int[], boolean, date, date, date, text, text);
DROP FUNCTION campaign_rules_digest(text, date, int);
DROP FUNCTION blacklist_match(text, text[], timestamptz);
