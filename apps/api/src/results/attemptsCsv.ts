import { Transform } from 'node:stream';
import type { AttemptRow } from '../../../../adapters/postgres/results';

// Attempts as CSV (RFC 4180: comma, CRLF, quotes doubled), one line per row as the cursor
// yields it. The columns are named in the header; times are ISO 8601 in UTC.

export const ATTEMPT_CSV_COLUMNS = [
  'attempt_id', 'campaign_id', 'external_id', 'phone_position', 'number', 'caller_id', 'number_attempt', 'outcome', 'refusal',
  'started_at', 'answered_at', 'ended_at', 'hangup_cause', 'dtmf', 'listened_ms', 'time_zones',
  'gate_allowed', 'gate_failed_rules', 'gate_checked_at', 'retry_at',
] as const;

type Cell = string | number | boolean | Date | null | undefined;

/** One cell: quoted when it holds a comma, a quote or a line break; a text a spreadsheet would
 * run as a formula (=, @, or + and - not followed by a number) is prefixed with an apostrophe. */
export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=@\t\r]/.test(text) || /^[+-](?![0-9]+$)/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function attemptCsvLine(r: AttemptRow): string {
  const g = r.gate;
  const cells: Cell[] = [
    r.id, r.campaign_id, r.external_id, r.phone_position, r.e164, r.caller_id, r.number_attempt, r.outcome, g.allowed ? null : g.refusal,
    r.started_at, r.answered_at, r.ended_at, r.hangup_cause, r.dtmf, r.listened_ms, (r.time_zones ?? []).join(' '),
    g.allowed, g.checks.filter((c) => !c.passed).map((c) => c.rule).join(' '), g.checkedAt, g.allowed ? null : g.retryAt ?? null,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Rows in, CSV text out, the header first; `rows` counts what went through. */
export class AttemptCsvStream extends Transform {
  rows = 0;

  constructor() {
    super({ writableObjectMode: true });
    this.push(`${ATTEMPT_CSV_COLUMNS.join(',')}\r\n`);
  }

  override _transform(row: AttemptRow, _encoding: BufferEncoding, done: (err?: Error | null, line?: string) => void): void {
    this.rows++;
    done(null, attemptCsvLine(row));
  }
}
