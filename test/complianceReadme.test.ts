import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listRuleProfiles } from '../adapters/postgres/ruleProfiles';
import type { RuleProfile } from '../domain/ruleProfiles';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// README's compliance section and docs/compliance.md each list the rule profiles' presets for
// people to read; the presets themselves are rows the migrations insert. This reads both tables
// and the migrated rows, so an edited preset fails here until the docs say it too.

let db: TestDatabase;
beforeAll(async () => { db = await createTestDatabase(); });
afterAll(async () => { await db?.drop(); });

const HEADER = '| purpose | legal policy | consent | refusal list | recorded | kept (records / recordings) | legal basis |';

interface DocumentedPreset {
  purpose: string;
  legalPolicy: string;
  consentRequired: string;
  honourMassCallRefusals: boolean;
  recordAnswered: boolean;
  recordRetentionDays: number;
  recordingRetentionDays: number;
  legalBasis: string;
}

const word = <T>(cell: string, words: Record<string, T>, where: string): T => {
  if (!(cell in words)) throw new Error(`${where}: "${cell}" is none of ${Object.keys(words).join(', ')}`);
  return words[cell];
};

/** The presets table of a markdown file: the rows under HEADER, up to the first line that is not a row. */
function documentedPresets(file: string): DocumentedPreset[] {
  const lines = readFileSync(join(__dirname, '..', file), 'utf8').split('\n');
  const start = lines.indexOf(HEADER);
  if (start < 0) throw new Error(`${file} has no presets table with the header ${HEADER}`);
  const rows: DocumentedPreset[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) {
    const where = `${file} line ${i + 1}`;
    const cells = lines[i].split('|').slice(1, -1).map((c) => c.trim().replace(/^`(.*)`$/, '$1'));
    if (cells.length !== 7) throw new Error(`${where}: ${cells.length} cells, expected 7`);
    const [purpose, legalPolicy, consent, refusals, recorded, kept, legalBasis] = cells;
    const days = /^(\d+) \/ (\d+) days$/.exec(kept);
    if (!days) throw new Error(`${where}: kept "${kept}" is not "<records> / <recordings> days"`);
    rows.push({
      purpose, legalPolicy, legalBasis,
      consentRequired: word(consent, { everyone: 'everyone', 'third parties': 'third_parties', nobody: 'nobody' }, where),
      honourMassCallRefusals: word(refusals, { applies: true, 'does not apply': false }, where),
      recordAnswered: word(recorded, { yes: true, no: false }, where),
      recordRetentionDays: Number(days[1]), recordingRetentionDays: Number(days[2]),
    });
  }
  return rows;
}

/** The laws a legal basis cites (230-FZ, order No. 134, ...), whatever the words around them. */
const lawsCited = (basis: string): string[] =>
  [...new Set(basis.match(/\d+-FZ|order No\. \d+/g) ?? [])].sort();

const rules = (p: RuleProfile | DocumentedPreset) => ({
  purpose: p.purpose, legalPolicy: p.legalPolicy, consentRequired: p.consentRequired,
  honourMassCallRefusals: p.honourMassCallRefusals, recordAnswered: p.recordAnswered,
  recordRetentionDays: p.recordRetentionDays, recordingRetentionDays: p.recordingRetentionDays,
  lawsCited: lawsCited(p.legalBasis),
});

it.each(['README.md', 'docs/compliance.md'])('%s lists every preset with the rules and laws the database holds', async (file) => {
  const presets = await listRuleProfiles(db.pool);
  expect(presets.length).toBe(4);
  const documented = documentedPresets(file);
  const byPurpose = (a: { purpose: string }, b: { purpose: string }) => a.purpose.localeCompare(b.purpose);
  expect(documented.map(rules).sort(byPurpose)).toEqual(presets.map(rules).sort(byPurpose));
});
