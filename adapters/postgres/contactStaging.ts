import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom, type CopyStreamQuery } from 'pg-copy-streams';

// A list import's rows on their way into a campaign: streamed with COPY into a staging table of
// the import's own session (temporary: never WAL-logged, gone with the session), then moved into
// contact, contact_phone, contact_variable and list_import_issue by a few set-based statements,
// all in the one transaction of the import. A killed import leaves nothing of its rows.
//
// The staging table holds four kinds of row, one COPY stream for all of them:
//   c  a contact:  line, a external_id, b full_name, c person_id, d the row's text
//   p  a number:   line, n position, a e164, b raw, c note, d kind
//   v  a variable: line, a name, b value
//   i  an issue:   line, n order within the line, a field, b severity, c reason, d the row's text

/** A contact as a list row gives it (imports/accountingCsv.ts, AccountingContact). */
export interface StagedContact {
  line: number;
  externalId: string;
  name: string;
  personId: string;
  /** The row's text as it stands in the file. */
  rawLine: string;
  /** In the order they are dialled: the first is position 1. */
  phones: readonly { e164: string; raw: string; note?: string; kind?: string | null }[];
  variables: Record<string, string>;
}

export interface StagedIssue {
  line: number;
  field: string | null;
  severity: 'error' | 'warning';
  reason: string;
  raw: string;
}

/** COPY's text format: a backslash, tab, line feed or carriage return is escaped; null is \N. */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  // NUL is no character Postgres stores: a refused line's text keeps a visible mark in its place.
  if (!/[\\\t\n\r\0]/.test(value)) return value;
  return value.replace(/[\\\t\n\r\0]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\u2400'));
}

const FLUSH_CHARS = 256 * 1024;

/**
 * Writes staging rows through one COPY on `client`, which must be in the import's transaction.
 * Rows are gathered into chunks of about FLUSH_CHARS; a full socket holds the writer back.
 */
export class ContactStaging {
  private chunk = '';
  private failure: Error | undefined;
  private readonly ended: Promise<void>;

  private constructor(private readonly copy: CopyStreamQuery) {
    copy.on('error', (err: Error) => { this.failure ??= err; });
    this.ended = new Promise((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', reject);
    });
    this.ended.catch(() => undefined); // read by end(); not unhandled meanwhile
  }

  /** Creates the session's staging table (dropped at commit or rollback) and opens the COPY. */
  static async open(client: PoolClient): Promise<ContactStaging> {
    await client.query(
      `CREATE TEMPORARY TABLE import_stage (kind "char" NOT NULL, line integer NOT NULL, n integer, a text, b text, c text, d text)
       ON COMMIT DROP`);
    return new ContactStaging(client.query(copyFrom('COPY import_stage FROM STDIN')));
  }

  async contact(c: StagedContact): Promise<void> {
    const { line, variables } = c;
    let text = `c\t${line}\t\\N\t${copyText(c.externalId)}\t${copyText(c.name)}\t${copyText(c.personId)}\t${copyText(c.rawLine)}\n`;
    c.phones.forEach((p, i) => {
      text += `p\t${line}\t${i + 1}\t${copyText(p.e164)}\t${copyText(p.raw)}\t${copyText(p.note ?? null)}\t${copyText(p.kind ?? null)}\n`;
    });
    for (const name of Object.keys(variables)) text += `v\t${line}\t\\N\t${copyText(name)}\t${copyText(variables[name]!)}\t\\N\t\\N\n`;
    await this.add(text);
  }

  async issues(issues: readonly StagedIssue[]): Promise<void> {
    let text = '';
    issues.forEach((i, n) => {
      text += `i\t${i.line}\t${n}\t${copyText(i.field)}\t${i.severity}\t${copyText(i.reason)}\t${copyText(i.raw)}\n`;
    });
    await this.add(text);
  }

  /** Ends the COPY: every row is in the staging table when it resolves. */
  async end(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.chunk !== '') this.copy.write(this.chunk);
    this.chunk = '';
    this.copy.end();
    await this.ended;
  }

  private async add(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.chunk += text;
    if (this.chunk.length < FLUSH_CHARS) return;
    const full = this.copy.write(this.chunk);
    this.chunk = '';
    if (!full) await Promise.race([once(this.copy, 'drain'), this.ended]);
  }
}

export interface MergeResult {
  inserted: number;
  unchanged: number;
  /** In-file repeats of a contact: refused in SQL, beside the rows refused before staging. */
  repeated: number;
  issues: number;
  /** Milliseconds each step took: where an import's time goes. */
  ms: Record<string, number>;
}

/**
 * Moves the staged rows into the campaign (run in the import's transaction, after the COPY):
 * a contact whose external id is new is inserted with its numbers and variables, in file order;
 * one already there is left as it is (its workflow may be calling it), with a warning naming the
 * variables the file would change; a contact given twice is taken from its first line. Every
 * issue goes to list_import_issue in line order, with the ones found here: repeats, changes not
 * applied, and rows whose person or number is another row's.
 */
export async function mergeStagedContacts(client: PoolClient, importId: number, campaignId: string): Promise<MergeResult> {
  const ms: Record<string, number> = {};
  let last = Date.now();
  const step = async (name: string, sql: string, params: unknown[] = []): Promise<number> => {
    const { rowCount } = await client.query(sql, params);
    const now = Date.now();
    ms[name] = (ms[name] ?? 0) + now - last;
    last = now;
    return rowCount ?? 0;
  };
  // The windows and hashes over a million rows sort in memory rather than on disk (this transaction only).
  await step('stage', `SET LOCAL work_mem = '128MB'`);
  // Every intermediate set is a temporary table with statistics (ANALYZE): the planner's guess
  // for an unanalysed one is a few rows, and a nested loop over a million rows never ends.
  await step('stage', 'ANALYZE import_stage');
  await step('firsts', `CREATE TEMPORARY TABLE import_contact ON COMMIT DROP AS
    SELECT *, line = first_line AS is_first
      FROM (SELECT line, a AS external_id, b AS full_name, c AS person_id, d AS raw, min(line) OVER (PARTITION BY a) AS first_line
              FROM import_stage WHERE kind = 'c') AS c`);
  await step('firsts', 'ANALYZE import_contact');
  // Which contacts are there already, looked up before any is added: the statistics of contact
  // do not know the rows this transaction adds, and a plan made on them would loop over them.
  await step('match', `CREATE TEMPORARY TABLE import_match ON COMMIT DROP AS
    SELECT f.line, k.id AS existing_id FROM import_contact f
      LEFT JOIN contact k ON k.campaign_id = $1 AND k.external_id = f.external_id
     WHERE f.is_first`, [campaignId]);
  await step('match', 'ANALYZE import_match');
  // New contacts get their ids here, in file order (the campaign calls in id order). No other
  // writer adds contacts to the campaign meanwhile: the caller holds lockCampaignContacts.
  const inserted = await step('new', `CREATE TEMPORARY TABLE import_new ON COMMIT DROP AS
    SELECT line, nextval(pg_get_serial_sequence('contact', 'id')) AS contact_id
      FROM (SELECT line FROM import_match WHERE existing_id IS NULL ORDER BY line) AS fresh`);
  await step('new', 'ANALYZE import_new');
  await step('contacts', `INSERT INTO contact (id, campaign_id, external_id, full_name, person_id) OVERRIDING SYSTEM VALUE
    SELECT n.contact_id, $1, f.external_id, f.full_name, f.person_id
      FROM import_new n JOIN import_contact f ON f.line = n.line ORDER BY n.contact_id`, [campaignId]);
  // In contact id order: each foreign-key check and primary-key entry lands next to the last one.
  await step('numbers', `INSERT INTO contact_phone (contact_id, position, e164, raw, note, kind)
    SELECT n.contact_id, s.n, s.a, s.b, s.c, s.d FROM import_stage s JOIN import_new n ON n.line = s.line WHERE s.kind = 'p'
     ORDER BY n.contact_id, s.n`);
  await step('vars', `INSERT INTO contact_variable (contact_id, name, value)
    SELECT n.contact_id, s.a, s.b FROM import_stage s JOIN import_new n ON n.line = s.line WHERE s.kind = 'v'
     ORDER BY n.contact_id, s.a`);

  // The issues, gathered and then stored in line order (the API pages them by id).
  await step('issues', `CREATE TEMPORARY TABLE import_found (line integer, seq integer, field text, severity text, reason text, raw text)
    ON COMMIT DROP`);
  await step('issues', `INSERT INTO import_found
    SELECT s.line, s.n, s.a, s.b, s.c, s.d FROM import_stage s
     WHERE s.kind = 'i'
       -- a repeated line is refused whole: its own warnings are not kept
       AND NOT (s.b = 'warning' AND EXISTS (SELECT 1 FROM import_contact r WHERE r.line = s.line AND NOT r.is_first))`);
  const repeated = await step('repeats', `INSERT INTO import_found
    SELECT line, -1, NULL, 'error', format('the same contact (name and numbers) as line %s: imported once, from line %s', first_line, first_line), raw
      FROM import_contact WHERE NOT is_first`);
  await step('kept', `INSERT INTO import_found
    WITH kept AS (
      SELECT m.line, f.raw, m.existing_id AS id FROM import_match m JOIN import_contact f ON f.line = m.line
       WHERE m.existing_id IS NOT NULL),
    file_vars AS (SELECT k.id, s.a AS name, s.b AS value FROM kept k JOIN import_stage s ON s.kind = 'v' AND s.line = k.line),
    stored_vars AS (SELECT k.id, v.name, v.value FROM kept k JOIN contact_variable v ON v.contact_id = k.id),
    not_applied AS (
      SELECT coalesce(f.id, s.id) AS id, string_agg(coalesce(f.name, s.name), ', ' ORDER BY coalesce(f.name, s.name)) AS names
        FROM file_vars f FULL JOIN stored_vars s ON s.id = f.id AND s.name = f.name
       WHERE f.value IS DISTINCT FROM s.value
       GROUP BY 1)
    SELECT k.line, 1000, 'USER_VARS', 'warning',
           format('the contact is already in the campaign and was left unchanged: the file''s values of %s were not applied', a.names), k.raw
      FROM kept k JOIN not_applied a ON a.id = k.id`);
  await step('people', `INSERT INTO import_found
    SELECT line, 1001, 'NAME', 'warning',
           format('the same person as line %s (the same name but for case or spacing, and the same first number): '
             || 'a contact of its own, whose calls count with that line''s against the person''s caps', person_line), raw
      FROM (SELECT line, raw, min(line) OVER (PARTITION BY person_id) AS person_line FROM import_contact WHERE is_first) AS p
     WHERE person_line <> line`);
  await step('shared numbers', `INSERT INTO import_found
    SELECT line, 1002 + position, 'PHONE_NUMBER', 'warning',
           format('number %s (%s) is also on line %s, under another name: another person, called on their own '
             || '(a campaign''s caps.number counts the calls to the number together)', position, number_raw, number_line), raw
      FROM (SELECT p.line, p.n AS position, p.b AS number_raw, f.raw, f.person_id,
                   first_value(p.line) OVER w AS number_line, first_value(f.person_id) OVER w AS number_person
              FROM import_stage p JOIN import_contact f ON f.line = p.line AND f.is_first
             WHERE p.kind = 'p'
            WINDOW w AS (PARTITION BY p.a ORDER BY p.line)) AS n
     WHERE number_person <> person_id`);
  const issues = await step('issues', `INSERT INTO list_import_issue (import_id, line, field, severity, reason, raw)
    SELECT $1, line, field, severity, reason, raw FROM import_found ORDER BY line, seq`, [importId]);

  const { rows: [counts] } = await client.query<{ firsts: number }>('SELECT count(*)::int AS firsts FROM import_match');
  return { inserted, unchanged: counts!.firsts - inserted, repeated, issues, ms };
}
