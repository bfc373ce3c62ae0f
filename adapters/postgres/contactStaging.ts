import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

// A list import's rows on their way into a campaign, all in the one transaction of the import, so
// a killed import leaves nothing of its rows. They are gathered in chunks of CHUNK_LINES lines;
// each full chunk goes by COPY into a temporary table of the import's session (never WAL-logged,
// gone with the session) and its new contacts, numbers and variables are inserted at once, while
// the reader goes on with the next chunk: Node reads and checks while Postgres inserts. Every
// chunk is also kept in a staging table for the end (mergeStagedContacts), which finds in SQL
// what needs the whole file: repeats, contacts already there, shared people and numbers.
//
// The staging tables hold four kinds of row:
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

/**
 * Lines a chunk holds. Each chunk costs a dozen statements (about 0.1 s), and the last chunk's
 * inserts are not overlapped by reading: 50,000 lines (10 to 15 MB of COPY text) is 20 chunks a
 * million rows.
 */
export const CHUNK_LINES = 50_000;

const PIECE_CHARS = 256 * 1024;

/** Milliseconds each step took: where an import's time goes. */
export type StepTimes = Record<string, number>;

/** Runs and times the import's statements on its session. */
class Steps {
  readonly ms: StepTimes = {};
  private last = Date.now();

  constructor(private readonly client: PoolClient) {}

  /** Starts the clock of the next step (the time before it was someone else's). */
  restart(): void {
    this.last = Date.now();
  }

  async run(name: string, sql: string, params: unknown[] = []): Promise<number> {
    const { rowCount } = await this.client.query(sql, params);
    this.lap(name);
    return rowCount ?? 0;
  }

  lap(name: string): void {
    const now = Date.now();
    this.ms[name] = (this.ms[name] ?? 0) + now - this.last;
    this.last = now;
  }
}

/**
 * Stages the rows of an import on `client`, which must be in the import's transaction and hold
 * the campaign's contact lock (lockCampaignContacts) before the first row: full chunks are
 * inserted into the campaign while the next is read. At most two chunks are in memory: a full
 * one waits (the reader with it) while the one before is being inserted.
 */
export class ContactStaging {
  // The chunk as UTF-8 pieces of about PIECE_CHARS: a string built by += is a rope of every
  // small string it was made of, several times its text in memory.
  private pieces: Buffer[] = [];
  private piece = '';
  private lines = 0;
  private inFlight: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private readonly steps: Steps;

  private constructor(
    private readonly client: PoolClient,
    private readonly campaignId: string,
    private readonly contactIds: string,
    private readonly chunkLines: number,
  ) {
    this.steps = new Steps(client);
  }

  /** Creates the session's staging tables (dropped at commit or rollback). */
  static async open(client: PoolClient, campaignId: string, chunkLines = CHUNK_LINES): Promise<ContactStaging> {
    if (!Number.isInteger(chunkLines) || chunkLines < 1) throw new RangeError(`chunkLines must be a positive integer, got ${chunkLines}`);
    await client.query(
      `CREATE TEMPORARY TABLE import_stage (kind "char" NOT NULL, line integer NOT NULL, n integer, a text, b text, c text, d text)
         ON COMMIT DROP;
       CREATE TEMPORARY TABLE import_chunk (LIKE import_stage) ON COMMIT DROP;
       -- the contacts this import added: the chunk's, then every chunk's
       CREATE TEMPORARY TABLE import_chunk_new (line integer NOT NULL, contact_id bigint NOT NULL) ON COMMIT DROP;
       CREATE TEMPORARY TABLE import_chunk_ids (LIKE import_chunk_new) ON COMMIT DROP;
       CREATE TEMPORARY TABLE import_new (LIKE import_chunk_new) ON COMMIT DROP;
       -- Compiling these statements costs more than it saves: each reads its rows once.
       SET LOCAL jit = off`);
    // Named once: pg_get_serial_sequence in the statement would look it up again for every row.
    const { rows: [sequence] } = await client.query<{ name: string }>(`SELECT pg_get_serial_sequence('contact', 'id') AS name`);
    return new ContactStaging(client, campaignId, sequence!.name, chunkLines);
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

  /** Inserts the last chunk: every row is staged, and every new contact inserted, when it resolves. */
  async end(): Promise<StepTimes> {
    await this.flush();
    await this.inFlight;
    if (this.failure) throw this.failure;
    return this.steps.ms;
  }

  /** Whether a chunk failed: the session may be mid-COPY, and is not to be reused. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Resolves when no chunk is being inserted (after a failure too). */
  async settle(): Promise<void> {
    await this.inFlight;
  }

  private async add(text: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.piece += text;
    if (this.piece.length >= PIECE_CHARS) this.cutPiece();
    if (++this.lines >= this.chunkLines) await this.flush();
  }

  private cutPiece(): void {
    this.pieces.push(Buffer.from(this.piece, 'utf8'));
    this.piece = '';
  }

  /** Hands the gathered chunk to the session once the one before is in; does not wait for it. */
  private async flush(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure;
    if (this.piece !== '') this.cutPiece();
    if (this.pieces.length === 0) return;
    const pieces = this.pieces;
    this.pieces = [];
    this.lines = 0;
    this.inFlight = this.insertChunk(pieces).catch((err: unknown) => { this.failure ??= err as Error; });
  }

  private async insertChunk(pieces: Buffer[]): Promise<void> {
    const { steps, campaignId } = this;
    steps.restart();
    const copy = this.client.query(copyFrom('COPY import_chunk FROM STDIN'));
    const done = new Promise<void>((resolve, reject) => {
      copy.on('finish', resolve);
      copy.on('error', reject);
    });
    // A full socket holds the writer back.
    for (const piece of pieces) {
      if (!copy.write(piece)) await Promise.race([once(copy, 'drain'), done]);
    }
    copy.end();
    await done;
    steps.lap('copy');
    // The planner needs the chunk's size and its mix of kinds: a guess of a few rows would loop.
    await steps.run('chunk', 'ANALYZE import_chunk');
    // The chunk's first line of each contact, with an id in file order; the contacts already in
    // the campaign (from before the import, or from an earlier chunk) are left out by the unique
    // index itself (ON CONFLICT), not by a lookup the planner would plan on statistics that know
    // neither this transaction's rows nor a new campaign's. An id left unused is only a gap.
    await steps.run('chunk', `INSERT INTO import_chunk_ids (line, contact_id)
      SELECT line, nextval($1::regclass) FROM (
        SELECT line FROM (SELECT DISTINCT ON (a COLLATE "C") line FROM import_chunk WHERE kind = 'c' ORDER BY a COLLATE "C", line) AS f
         ORDER BY line) AS firsts`, [this.contactIds]);
    await steps.run('chunk', 'ANALYZE import_chunk_ids');
    // In contact id order: each primary-key and foreign-key entry lands next to the last one.
    await steps.run('contacts', `WITH added AS (
      INSERT INTO contact (id, campaign_id, external_id, full_name, person_id) OVERRIDING SYSTEM VALUE
      SELECT i.contact_id, $1, c.a, c.b, c.c FROM import_chunk_ids i JOIN import_chunk c ON c.line = i.line AND c.kind = 'c'
       ORDER BY i.contact_id
      ON CONFLICT (campaign_id, external_id) DO NOTHING
      RETURNING id)
    INSERT INTO import_chunk_new (line, contact_id)
      SELECT i.line, i.contact_id FROM import_chunk_ids i WHERE i.contact_id IN (SELECT id FROM added)`, [campaignId]);
    await steps.run('chunk', 'ANALYZE import_chunk_new');
    await steps.run('numbers', `INSERT INTO contact_phone (contact_id, position, e164, raw, note, kind)
      SELECT n.contact_id, s.n, s.a, s.b, s.c, s.d FROM import_chunk s JOIN import_chunk_new n ON n.line = s.line WHERE s.kind = 'p'
       ORDER BY n.contact_id, s.n`);
    await steps.run('vars', `INSERT INTO contact_variable (contact_id, name, value)
      SELECT n.contact_id, s.a, s.b FROM import_chunk s JOIN import_chunk_new n ON n.line = s.line WHERE s.kind = 'v'
       ORDER BY n.contact_id, s.a COLLATE "C"`);
    // The end needs every contact, number and issue, and the variables of rows not inserted.
    await steps.run('chunk', `INSERT INTO import_stage SELECT * FROM import_chunk s
      WHERE s.kind <> 'v' OR NOT EXISTS (SELECT 1 FROM import_chunk_new n WHERE n.line = s.line)`);
    await steps.run('chunk', 'INSERT INTO import_new SELECT * FROM import_chunk_new');
    await steps.run('chunk', 'TRUNCATE import_chunk, import_chunk_ids, import_chunk_new');
  }
}

export interface MergeResult {
  inserted: number;
  unchanged: number;
  /** In-file repeats of a contact: refused in SQL, beside the rows refused before staging. */
  repeated: number;
  issues: number;
  /** Milliseconds each step took: where an import's time goes. */
  ms: StepTimes;
}

/**
 * Ends an import whose rows are all staged and whose new contacts are in (ContactStaging.end),
 * in the import's transaction: a contact whose external id was new was inserted with its numbers
 * and variables, in file order; one already there was left as it is (its workflow may be calling
 * it), with a warning here naming the variables the file would change; a contact given twice is
 * taken from its first line. Every issue goes to list_import_issue in line order, with the ones
 * found here: repeats, changes not applied, and rows whose person or number is another row's.
 */
export async function mergeStagedContacts(client: PoolClient, importId: number, campaignId: string): Promise<MergeResult> {
  const steps = new Steps(client);
  const step = (name: string, sql: string, params: unknown[] = []) => steps.run(name, sql, params);
  // The windows and hashes over a million rows sort in memory rather than on disk (this transaction only).
  await step('stage', `SET LOCAL work_mem = '128MB'`);
  // Every intermediate set is a temporary table with statistics (ANALYZE): the planner's guess
  // for an unanalysed one is a few rows, and a nested loop over a million rows never ends.
  await step('stage', 'ANALYZE import_stage');
  await step('stage', 'ANALYZE import_new');
  // Texts compared byte by byte (COLLATE "C"): only equal or not matters, and the database's
  // collation would sort them through strcoll without abbreviated keys.
  await step('firsts', `CREATE TEMPORARY TABLE import_contact ON COMMIT DROP AS
    SELECT *, line = first_line AS is_first
      FROM (SELECT line, a AS external_id, c AS person_id, d AS raw, min(line) OVER (PARTITION BY a COLLATE "C") AS first_line
              FROM import_stage WHERE kind = 'c') AS c`);
  await step('firsts', 'ANALYZE import_contact');
  // A first line that was not inserted is a contact the campaign had before the import.
  // The statistics of contact know neither this transaction's rows nor a new campaign's: to the
  // planner the campaign has one contact, and a nested loop over it would read the whole campaign
  // once per row. One pass over the campaign's contacts instead (nested loops off, for this only).
  // When every first line was inserted (a new list), there is nothing to look for.
  const { rows: [firsts] } = await client.query<{ kept: boolean }>(
    'SELECT (SELECT count(*) FROM import_contact WHERE is_first) > (SELECT count(*) FROM import_new) AS kept');
  await step('match', 'SET LOCAL enable_nestloop = off');
  await step('match', `CREATE TEMPORARY TABLE import_kept ON COMMIT DROP AS
    SELECT f.line, f.raw, k.id
      FROM import_contact f JOIN contact k ON k.campaign_id = $1 AND k.external_id = f.external_id
     WHERE $2 AND f.is_first AND NOT EXISTS (SELECT 1 FROM import_new n WHERE n.line = f.line)`, [campaignId, firsts!.kept]);
  await step('match', 'SET LOCAL enable_nestloop = on');

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
    WITH file_vars AS (SELECT k.id, s.a AS name, s.b AS value FROM import_kept k JOIN import_stage s ON s.kind = 'v' AND s.line = k.line),
    stored_vars AS (SELECT k.id, v.name, v.value FROM import_kept k JOIN contact_variable v ON v.contact_id = k.id),
    not_applied AS (
      SELECT coalesce(f.id, s.id) AS id, string_agg(coalesce(f.name, s.name), ', ' ORDER BY coalesce(f.name, s.name)) AS names
        FROM file_vars f FULL JOIN stored_vars s ON s.id = f.id AND s.name = f.name
       WHERE f.value IS DISTINCT FROM s.value
       GROUP BY 1)
    SELECT k.line, 1000, 'USER_VARS', 'warning',
           format('the contact is already in the campaign and was left unchanged: the file''s values of %s were not applied', a.names), k.raw
      FROM import_kept k JOIN not_applied a ON a.id = k.id`);
  await step('people', `INSERT INTO import_found
    SELECT line, 1001, 'NAME', 'warning',
           format('the same person as line %s (the same name but for case or spacing, and the same first number): '
             || 'a contact of its own, whose calls count with that line''s against the person''s caps', person_line), raw
      FROM (SELECT line, raw, min(line) OVER (PARTITION BY person_id COLLATE "C") AS person_line FROM import_contact WHERE is_first) AS p
     WHERE person_line <> line`);
  await step('shared numbers', `INSERT INTO import_found
    SELECT line, 1002 + position, 'PHONE_NUMBER', 'warning',
           format('number %s (%s) is also on line %s, under another name: another person, called on their own '
             || '(a campaign''s caps.number counts the calls to the number together)', position, number_raw, number_line), raw
      FROM (SELECT p.line, p.n AS position, p.b AS number_raw, f.raw, f.person_id,
                   first_value(p.line) OVER w AS number_line, first_value(f.person_id) OVER w AS number_person
              FROM import_stage p JOIN import_contact f ON f.line = p.line AND f.is_first
             WHERE p.kind = 'p'
            WINDOW w AS (PARTITION BY p.a COLLATE "C" ORDER BY p.line)) AS n
     WHERE number_person <> person_id`);
  const issues = await step('issues', `INSERT INTO list_import_issue (import_id, line, field, severity, reason, raw)
    SELECT $1, line, field, severity, reason, raw FROM import_found ORDER BY line, seq`, [importId]);

  const { rows: [counts] } = await client.query<{ inserted: number; unchanged: number }>(
    'SELECT (SELECT count(*)::int FROM import_new) AS inserted, (SELECT count(*)::int FROM import_kept) AS unchanged');
  return { inserted: counts!.inserted, unchanged: counts!.unchanged, repeated, issues, ms: steps.ms };
}
