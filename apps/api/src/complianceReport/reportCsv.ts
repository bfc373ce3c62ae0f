import type { ComplianceReport } from './reportTypes';

// The report as CSV for a spreadsheet: one figure a line (section, figure, value, detail), in the
// order the GraphQL type gives them. Small (a few hundred lines at most), so written at once.

/** A field as CSV: quoted when it must be; one a spreadsheet would run as a formula is quoted with a leading '. */
function field(value: string | number | boolean): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const ids = (list: readonly string[]): string => list.join(' ');
const span = (h: { start: string; end: string } | null): string => (h ? `${h.start}-${h.end}` : 'none');

export function reportCsv(r: ComplianceReport): string {
  const lines: (string | number | boolean)[][] = [['section', 'figure', 'value', 'detail']];
  const add = (section: string, figure: string, value: string | number | boolean, detail = ''): void => { lines.push([section, figure, value, detail]); };
  add('report', 'campaign', r.campaignId ?? 'all');
  add('report', 'from', r.from.toISOString());
  add('report', 'to', r.to.toISOString());
  add('report', 'generated at', r.generatedAt.toISOString());
  add('report', 'passed', r.passed);

  const h = r.hours;
  add('hours', 'passed', h.passed);
  add('hours', 'dialled', h.dialled);
  for (const w of h.windows) add('hours', `legal window ${w.campaignId}`, w.policy, `working days ${span(w.workingDay)}; rest days ${span(w.restDay)}`);
  for (const row of h.byHour) {
    add('hours', `hour ${String(row.hour).padStart(2, '0')}`, row.calls,
      `working days ${row.workingDayCalls}; rest days ${row.restDayCalls}; outside legal ${row.outsideLegal}; outside campaign ${row.outsideCampaign}`);
  }
  add('hours', 'outside legal window', h.outsideLegal.count, ids(h.outsideLegal.attemptIds));
  add('hours', 'outside campaign hours', h.outsideCampaign.count, ids(h.outsideCampaign.attemptIds));

  const c = r.caps;
  add('caps', 'passed', c.passed);
  for (const k of c.campaigns) {
    for (const p of ['day', 'week', 'month'] as const) {
      add('caps', `${k.campaignId} ${p}`, k.max[p], `cap ${k.caps[p] ?? 'none'} (${k.policy}, ${k.period}, unanswered ${k.countUnanswered ? 'count' : 'do not count'})`);
    }
    add('caps', `${k.campaignId} counted calls`, k.countedCalls);
  }
  add('caps', 'persons over a cap', c.personsOver);
  for (const o of c.overCap) add('caps', `over ${o.period} cap: ${o.personId}`, o.calls, `cap ${o.cap} in ${o.campaignId}; attempts ${ids(o.attemptIds)}`);

  const f = r.refusals;
  add('refusals', 'passed', f.passed);
  add('refusals', 'total', f.total);
  for (const x of f.byReason) add('refusals', x.reason || '(none named)', x.count, x.rules.map((y) => `${y.rule} ${y.count}`).join('; '));
  add('refusals', 'unexplained', f.unexplained.count, ids(f.unexplained.attemptIds));

  const p = r.proofs;
  add('proofs', 'passed', p.passed);
  add('proofs', 'dialled', p.dialled);
  add('proofs', 'complete', p.complete);
  add('proofs', 'incomplete', p.incomplete.count, ids(p.incomplete.attemptIds));
  add('proofs', 'not allowed', p.notAllowed);
  for (const g of p.byRule) add('proofs', `check ${g.rule}`, g.missing + g.failed, `missing ${g.missing}; failed ${g.failed}`);
  return `${lines.map((l) => l.map(field).join(',')).join('\r\n')}\r\n`;
}
