// The demo's closing table: one row per number a contact was called on.

export interface ResultRow {
  contact: string;
  number: string;
  outcome: string;
  attempts: number;
  contactState: string;
  /** The purpose whose rule profile the last attempt's proof names. */
  profile: string;
}

export function renderTable(rows: ResultRow[]): string {
  const headers = ['Contact', 'Number', 'Outcome', 'Attempts', 'Contact result', 'Profile (proof)'];
  const cells = rows.map((r) => [r.contact, r.number, r.outcome, String(r.attempts), r.contactState, r.profile]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => [...row[i]].length)));
  const line = (row: string[]): string =>
    row.map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
