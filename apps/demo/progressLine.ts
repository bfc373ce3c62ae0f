// One live line of campaign progress: a bar and the counts, redrawn in place on a terminal,
// printed as plain lines every few seconds when the output is a file or a CI log.

export interface ProgressCounts {
  total: number;
  finished: number;
  inProgress: number;
  attempts: number;
  byOutcome: Record<string, number>;
}

export function renderProgress(c: ProgressCounts, width = 24): string {
  const filled = c.total === 0 ? width : Math.round((c.finished / c.total) * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  const outcomes = Object.entries(c.byOutcome)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return `[${bar}] ${c.finished}/${c.total} contacts finished, ${c.inProgress} in progress, ${c.attempts} calls${outcomes ? ` (${outcomes})` : ''}`;
}
