import { createReadStream } from 'node:fs';
import path from 'node:path';
import { campaignWorkflowId } from '../../domain/ids';
import { isRowError, parseAccountingCsv } from '../../imports/accountingCsv';
import { ApiClient } from './apiClient';
import { renderProgress, type ProgressCounts } from './progressLine';
import { renderTable, type ResultRow } from './resultsTable';

// The demo: a real campaign end to end on the example list, driven through the GraphQL API as
// an ERP drives it (scripts/demo.sh has started the worker, the ARI simulator and the API, and
// made this run's key). A new campaign every run, so it can run again.

const EXAMPLE_LIST = path.resolve(__dirname, '../../examples/accounting-demo.csv');
const TEMPLATE_NAME = 'demo-debt-reminder';
const TEMPLATE = 'Здравствуйте, {{NAME}}! Ваша задолженность составляет {{BALANCE|money}}. '
  + 'Чтобы поговорить с оператором, нажмите 1.';

/** A balance reminder informs (service); debt_collection would hold the calls to 230-FZ's hours and caps. */
const DEMO_PURPOSE = 'service';

interface RuleProfile {
  purpose: string; legalPolicy: string; consentRequired: string; honourMassCallRefusals: boolean;
  recordAnswered: boolean; recordRetentionDays: number; recordingRetentionDays: number; legalBasis: string;
}
interface NamedCount { name: string; count: number }
interface Counters { contacts: number; finished: number; inProgress: number; calls: number; doneByOutcome: NamedCount[]; refusedByRule: NamedCount[] }
interface Attempt {
  externalId: string; phonePosition: number; outcome: string;
  gate: { refusal: string | null; checks: { rule: string; detail: string | null }[] };
}
interface Issue { id: number; line: number; field: string | null; severity: string; reason: string }
interface ContactResults { state: string; numbers: { number: string; position: number }[]; temporalUrl: string }

async function main(): Promise<void> {
  const key = process.env.DEMO_API_KEY;
  if (!key) throw new Error('DEMO_API_KEY is not set (scripts/demo.sh makes one for the run)');
  const api = new ApiClient(process.env.DEMO_API_URL ?? 'http://127.0.0.1:4000', key);
  await api.waitUntilAnswering(60_000);

  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const campaignId = `demo-${stamp}`.toLowerCase();
  const templateId = await demoTemplate(api);
  await api.graphql(`mutation($input: NewCampaignInput!) { createCampaign(input: $input) { id } }`, {
    input: {
      id: campaignId,
      name: `Demo debt reminder ${stamp}`,
      callerId: '+74951234567',
      timeZone: 'Europe/Moscow',
      // All day, so the demo runs at any hour; a real campaign keeps 09:00-20:00 (the default).
      windowStart: '00:00',
      windowEnd: '24:00',
      // Said, not left to the default: a purpose whose profile requires ru_230fz would keep the
      // calls to its legal hours whatever the window (why: showPurpose).
      purpose: DEMO_PURPOSE,
      maxAttemptsPerNumber: 2,
      retryIntervalSeconds: 5,
      ringTimeoutSeconds: 20,
      maxInFlight: 12,
      templateId,
    },
  });
  console.log(`Campaign ${campaignId} created through ${api.baseUrl}/graphql (window 00:00-24:00 Europe/Moscow, 2 attempts per number, retry after 5 s).`);
  await showPurpose(api, campaignId);

  await importExampleList(api, campaignId);

  const { startCampaign } = await api.graphql<{ startCampaign: { state: string } }>(`mutation($id: String!) { startCampaign(id: $id) { state } }`, { id: campaignId });
  console.log(`Campaign ${startCampaign.state}: workflow ${campaignWorkflowId(campaignId)}; calling through ${process.env.DEMO_TELEPHONY ?? 'ARI'}...`);
  await showProgressUntilDone(api, campaignId);

  const { rows, firstTemporalUrl } = await results(api, campaignId);
  console.log(`\n${renderTable(rows)}\n`);
  if (firstTemporalUrl) {
    // The API links a contact's history; the list and the campaign sit beside it in the UI.
    const workflows = firstTemporalUrl.slice(0, firstTemporalUrl.lastIndexOf('/'));
    console.log(`Temporal UI: ${workflows}`);
    console.log(`  one contact's history: ${firstTemporalUrl}`);
    console.log(`  the campaign: ${workflows}/${encodeURIComponent(campaignWorkflowId(campaignId))}`);
  }
}

const CONSENT_WORDS: Record<string, string> = { everyone: 'consent for everyone', third_parties: 'consent for third parties', nobody: 'no consent needed' };

/** The rules a profile sets, as one phrase. */
const describeProfile = (p: RuleProfile): string =>
  `legal policy ${p.legalPolicy}, ${CONSENT_WORDS[p.consentRequired] ?? p.consentRequired}, `
  + `refusal list ${p.honourMassCallRefusals ? 'applies' : 'does not apply'}, calls ${p.recordAnswered ? '' : 'not '}recorded, `
  + `records kept ${p.recordRetentionDays} days${p.recordAnswered ? `, recordings ${p.recordingRetentionDays}` : ''}`;

/**
 * The campaign's purpose and its rule profile as the API reads them back (campaign.settings and
 * ruleProfiles), and why the demo calls with this purpose and not debt_collection.
 */
async function showPurpose(api: ApiClient, campaignId: string): Promise<void> {
  const { campaign, ruleProfiles } = await api.graphql<{ campaign: { settings: { purpose: string; legalPolicy: string } }; ruleProfiles: RuleProfile[] }>(
    `query($id: String!) { campaign(id: $id) { settings { purpose legalPolicy } } ruleProfiles {
      purpose legalPolicy consentRequired honourMassCallRefusals recordAnswered recordRetentionDays recordingRetentionDays legalBasis } }`,
    { id: campaignId });
  const { purpose, legalPolicy } = campaign.settings;
  const profile = ruleProfiles.find((p) => p.purpose === purpose);
  if (!profile) throw new Error(`the API has no rule profile for the campaign's purpose ${purpose}`);
  console.log(`Purpose ${purpose} → rule profile "${profile.purpose}": ${describeProfile(profile)}; the campaign's own legal policy: ${legalPolicy}; legal basis: ${profile.legalBasis}.`);
  const debts = ruleProfiles.find((p) => p.purpose === 'debt_collection');
  if (debts && purpose !== debts.purpose && debts.legalPolicy === 'ru_230fz') {
    console.log(`  Why ${purpose}: the demo reminds of a balance and runs at any hour (window 00:00-24:00); debt_collection's profile `
      + `(${describeProfile(debts)}) would keep its calls to 230-FZ's hours, 08:00-22:00 on working days and 09:00-20:00 on rest days.`);
  }
}

/** The demo's template, made once and brought back to this body if someone changed it. */
async function demoTemplate(api: ApiClient): Promise<number> {
  let after: number | null = null;
  for (;;) {
    const { templates }: { templates: { id: number; name: string; body: string }[] } = await api.graphql(
      `query($after: Int) { templates(after: $after, first: 100) { id name body } }`, { after });
    const found = templates.find((t) => t.name === TEMPLATE_NAME);
    if (found) {
      if (found.body !== TEMPLATE) {
        await api.graphql(`mutation($id: Int!, $patch: TemplatePatchInput!) { updateTemplate(id: $id, patch: $patch) { id } }`,
          { id: found.id, patch: { body: TEMPLATE } });
      }
      return found.id;
    }
    if (templates.length < 100) break;
    after = templates[templates.length - 1]!.id;
  }
  const { createTemplate } = await api.graphql<{ createTemplate: { id: number } }>(`mutation($input: NewTemplateInput!) { createTemplate(input: $input) { id } }`,
    { input: { name: TEMPLATE_NAME, body: TEMPLATE } });
  return createTemplate.id;
}

/** POST /uploads, importList, then listImport until it is done; prints the lines refused or read differently. */
async function importExampleList(api: ApiClient, campaignId: string): Promise<void> {
  const uploadId = await api.upload(EXAMPLE_LIST);
  const { importList } = await api.graphql<{ importList: { id: number } }>(`mutation($c: String!, $u: String!) { importList(campaignId: $c, uploadId: $u) { id } }`,
    { c: campaignId, u: uploadId });
  let job: { state: string; rowsRead: number; imported: number; unchanged: number; refused: number; error: string | null };
  for (;;) {
    job = (await api.graphql<{ listImport: typeof job }>(`query($id: Int!) { listImport(id: $id) { state rowsRead imported unchanged refused error } }`,
      { id: importList.id })).listImport;
    if (job.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (job.state !== 'done') throw new Error(`the import of the list failed: ${job.error ?? job.state}`);
  console.log(`Imported ${job.imported} of ${job.rowsRead} rows from ${path.relative(process.cwd(), EXAMPLE_LIST)} `
    + `(upload ${uploadId}, import ${importList.id}); ${job.refused} rejected:`);
  let after: number | null = null;
  for (;;) {
    const { listImport }: { listImport: { issues: Issue[] } } = await api.graphql(`query($id: Int!, $after: Int) { listImport(id: $id) {
      issues(after: $after, first: 500) { id line field severity reason } } }`, { id: importList.id, after });
    for (const issue of listImport.issues) {
      console.log(`  line ${issue.line}: ${issue.severity}${issue.field ? ` in ${issue.field}` : ''}: ${issue.reason}`);
      after = issue.id;
    }
    if (listImport.issues.length < 500) break;
  }
}

const COUNTERS = `subscription($c: String!) { campaignCounters(campaignId: $c) {
  contacts finished inProgress calls doneByOutcome { name count } refusedByRule { name count } } }`;

/** The live line from the campaignCounters subscription, until every contact has finished and the campaign with them. */
async function showProgressUntilDone(api: ApiClient, campaignId: string): Promise<void> {
  const tty = process.stdout.isTTY;
  let lastPrinted = 0;
  await api.follow<{ campaignCounters: Counters }>(COUNTERS, { c: campaignId }, ({ campaignCounters: c }) => {
    const done = c.contacts > 0 && c.finished === c.contacts;
    const line = renderProgress(progressOf(c));
    if (tty) process.stdout.write(`\r${line}\x1b[K`);
    else if (done || Date.now() - lastPrinted > 3000) { console.log(line); lastPrinted = Date.now(); }
    return done;
  });
  if (tty) process.stdout.write('\n');
  // The campaign workflow completes once it has seen its last contact end.
  for (let i = 0; i < 300; i++) {
    const { campaign } = await api.graphql<{ campaign: { state: string } }>(`query($id: String!) { campaign(id: $id) { state } }`, { id: campaignId });
    if (campaign.state !== 'running') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`campaign ${campaignId} still running a minute after its last contact finished`);
}

/** Contacts finished by the outcome that ended them, and the gate's refusals by rule. */
function progressOf(c: Counters): ProgressCounts {
  const byOutcome: Record<string, number> = {};
  for (const o of c.doneByOutcome) byOutcome[o.name] = o.count;
  for (const r of c.refusedByRule) byOutcome[`refused ${r.name}`] = r.count;
  return { total: c.contacts, finished: c.finished, inProgress: c.inProgress, attempts: c.calls, byOutcome };
}

/**
 * One row per number: the last attempt on it and the calls placed to it (from `attempts`, read
 * by keyset pages), the contact's state and numbers (from `contact`). The names come from the
 * list itself, as the ERP knows its own contacts (the API gives them back by the ERP's ids).
 */
async function results(api: ApiClient, campaignId: string): Promise<{ rows: ResultRow[]; firstTemporalUrl: string | null }> {
  const attempts = new Map<string, Attempt[]>();
  let after: string | null = null;
  for (;;) {
    const { attempts: page }: { attempts: { items: Attempt[]; endCursor: string | null; hasNextPage: boolean } } = await api.graphql(
      `query($f: AttemptFilter!, $after: ID) { attempts(filter: $f, after: $after, first: 500) {
        items { externalId phonePosition outcome gate { refusal checks { rule detail } } } endCursor hasNextPage } }`, { f: { campaignId }, after });
    for (const a of page.items) attempts.set(a.externalId, [...(attempts.get(a.externalId) ?? []), a]);
    if (!page.hasNextPage) break;
    after = page.endCursor;
  }

  const rows: ResultRow[] = [];
  let firstTemporalUrl: string | null = null;
  const seen = new Set<string>();
  for await (const row of parseAccountingCsv(createReadStream(EXAMPLE_LIST))) {
    if (isRowError(row) || seen.has(row.externalId)) continue;
    seen.add(row.externalId);
    const { contact } = await api.graphql<{ contact: ContactResults | null }>(
      `query($c: String!, $e: String!) { contact(campaignId: $c, externalId: $e) { state numbers { number position } temporalUrl } }`,
      { c: campaignId, e: row.externalId });
    if (!contact) continue;
    firstTemporalUrl ??= contact.temporalUrl;
    const own = attempts.get(row.externalId) ?? [];
    contact.numbers.forEach((n, i) => {
      const onNumber = own.filter((a) => a.phonePosition === n.position);
      const last = onNumber[onNumber.length - 1];
      rows.push({
        contact: i === 0 ? row.name : '',
        number: n.number,
        outcome: !last ? 'not called' : last.outcome === 'refused' ? `refused: ${last.gate.refusal}` : last.outcome,
        attempts: onNumber.filter((a) => a.outcome !== 'refused').length,
        contactState: i === 0 ? contact.state : '',
        profile: last ? proofProfile(last) : '',
      });
    });
  }
  return { rows, firstTemporalUrl };
}

/** The purpose whose profile the attempt's proof says the gate applied ("service: policy none, …"). */
const proofProfile = (a: Attempt): string =>
  a.gate.checks.find((c) => c.rule === 'rule_profile')?.detail?.split(':')[0] ?? 'none in the proof';

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
