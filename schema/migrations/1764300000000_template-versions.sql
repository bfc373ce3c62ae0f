-- Up Migration

-- Speech settings of a template (domain/speechSettings.ts checks them): which provider says it,
-- in which voice, speed and emotion. Every template there is keeps the offline voice.
ALTER TABLE template
  ADD COLUMN speech  jsonb NOT NULL DEFAULT '{"provider": "offline"}'::jsonb CHECK (jsonb_typeof(speech) = 'object'),
  -- The version an edit made last; template_version holds every one of them.
  ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

-- Recorded fragments: an uploaded WAV/MP3/OGG converted once to 8 kHz 16-bit mono (what
-- Asterisk plays as slin), stored content-addressed by the speech cache under audio_key.
CREATE TABLE audio_clip (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9_.-]{1,100}$'),
  audio_key      text NOT NULL,
  duration_ms    integer NOT NULL CHECK (duration_ms >= 0),
  -- What was uploaded ("wav", "mp3", "ogg"), for people.
  source_format  text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- Immutable versions: an edit of a template adds one; a campaign pins the one it started with.
CREATE TABLE template_version (
  template_id  bigint NOT NULL REFERENCES template (id) ON DELETE CASCADE,
  version      integer NOT NULL CHECK (version >= 1),
  body         text NOT NULL,
  speech       jsonb NOT NULL CHECK (jsonb_typeof(speech) = 'object'),
  -- The recorded fragments the body names ({{audio:NAME}}), pinned by content when the
  -- version was made: a clip uploaded again later does not change what a version says.
  clips        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(clips) = 'object'),
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (template_id, version)
);
INSERT INTO template_version (template_id, version, body, speech, created_at)
  SELECT id, 1, body, speech, created_at FROM template;

-- Versions are kept by Postgres whoever writes the template: an insert makes version 1, a
-- change of the body, the speech settings or the clips a new version; the template row holds
-- the latest. `clips` is set by the writer in the same statement (the adapter resolves names).
ALTER TABLE template ADD COLUMN clips jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(clips) = 'object');
CREATE FUNCTION template_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.body, NEW.speech, NEW.clips) IS DISTINCT FROM (OLD.body, OLD.speech, OLD.clips) THEN
    NEW.version := OLD.version + 1;
  ELSE
    NEW.version := OLD.version;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER template_next_version BEFORE UPDATE ON template
  FOR EACH ROW EXECUTE FUNCTION template_next_version();
CREATE FUNCTION template_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO template_version (template_id, version, body, speech, clips)
    VALUES (NEW.id, NEW.version, NEW.body, NEW.speech, NEW.clips)
    ON CONFLICT (template_id, version) DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER template_keep_version AFTER INSERT OR UPDATE ON template
  FOR EACH ROW EXECUTE FUNCTION template_keep_version();

ALTER TABLE campaign ADD COLUMN template_version integer;
UPDATE campaign SET template_version = t.version FROM template t WHERE t.id = campaign.template_id;
ALTER TABLE campaign ADD CONSTRAINT campaign_template_version_fkey
  FOREIGN KEY (template_id, template_version) REFERENCES template_version (template_id, version);

-- A campaign pointed at a template pins its current version, whoever wrote the row (the API,
-- the demo, a test): only a campaign given a version explicitly keeps the one it was given.
CREATE FUNCTION campaign_pin_template_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.template_id IS NULL THEN
    NEW.template_version := NULL;
  ELSIF (TG_OP = 'INSERT' AND NEW.template_version IS NULL)
     OR (TG_OP = 'UPDATE' AND NEW.template_id IS DISTINCT FROM OLD.template_id
         AND NEW.template_version IS NOT DISTINCT FROM OLD.template_version) THEN
    SELECT version INTO NEW.template_version FROM template WHERE id = NEW.template_id;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER campaign_pin_template_version BEFORE INSERT OR UPDATE OF template_id, template_version ON campaign
  FOR EACH ROW EXECUTE FUNCTION campaign_pin_template_version();

-- The message a contact was prepared with: the rendered text (for the attempt row and people;
-- it never enters a workflow's history) and the key of the assembled audio the call plays.
-- One row per contact and template version, rewritten when the contact is prepared again.
CREATE TABLE prepared_message (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contact_id        bigint NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
  template_id       bigint NOT NULL,
  template_version  integer NOT NULL,
  text              text NOT NULL,
  audio_key         text NOT NULL,
  duration_ms       integer NOT NULL CHECK (duration_ms >= 0),
  prepared_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (contact_id, template_id, template_version),
  FOREIGN KEY (template_id, template_version) REFERENCES template_version (template_id, version) ON DELETE CASCADE
);

-- Down Migration
DROP TABLE prepared_message;
DROP TRIGGER campaign_pin_template_version ON campaign;
DROP FUNCTION campaign_pin_template_version();
ALTER TABLE campaign DROP CONSTRAINT campaign_template_version_fkey;
ALTER TABLE campaign DROP COLUMN template_version;
DROP TRIGGER template_keep_version ON template;
DROP TRIGGER template_next_version ON template;
DROP FUNCTION template_keep_version();
DROP FUNCTION template_next_version();
DROP TABLE template_version;
DROP TABLE audio_clip;
ALTER TABLE template DROP COLUMN clips, DROP COLUMN version, DROP COLUMN speech;
