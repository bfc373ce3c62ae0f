import { DateTime } from 'luxon';
import { gate } from '../../../activities/gate';
import { record } from '../../../activities/record';
import { createTestCampaign, insertContact } from '../../../test/fixtures';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// The compliance report through the API: admins and supervisors read it (GraphQL and CSV), the
// ERP and viewers get 403, no key 401; bad arguments name their field. The report's own figures
// are tested on Postgres in test/complianceReport.test.ts; here, that they arrive whole.

jest.setTimeout(60_000);

const msk = 'Europe/Moscow';
const at = (local: string): number => DateTime.fromISO(local, { zone: msk }).toMillis();
const FROM = '2026-11-24T00:00:00+03:00';
const TO = '2026-11-25T00:00:00+03:00';
const QUERY = `query($c: String, $from: String!, $to: String!) { complianceReport(campaignId: $c, from: $from, to: $to) {
  campaignId from to passed
  hours { passed dialled windows { campaignId policy workingDay { start end } restDay { start end } } byHour { hour calls outsideLegal } outsideLegal { count attemptIds } }
  caps { passed personsOver campaigns { campaignId period countUnanswered caps { day week month } max { day week month } countedCalls } overCap { personId } }
  refusals { passed total byReason { reason count rules { rule count } } unexplained { count } }
  proofs { passed dialled complete incomplete { count attemptIds } byRule { rule } }
} }`;

let api: ApiWorld;
let base: string;
let campaignId: string;

beforeAll(async () => {
  api = await startApiWorld();
  base = api.url.replace(/\/graphql$/, '');
  const pool = api.db.pool;
  campaignId = await createTestCampaign(pool, { id: 'report-api', legalPolicy: 'ru_230fz' });
  const contactId = await insertContact(pool, campaignId, 'a1', ['+79166000001'], {}, 'x', { personId: 'person-a1' });
  // One answered call at 10:00 and a second the same day, which 230-FZ's cap of one refuses.
  for (const [seq, local] of [[1, '2026-11-24T10:00'], [2, '2026-11-24T15:00']] as const) {
    const nowMs = at(local);
    const decision = await gate(pool, { campaignId, contactId, e164: '+79166000001', zones: [msk], nowMs, checkWindow: true, reserve: { channelId: `ra-${seq}` } });
    const t = new Date(nowMs).toISOString();
    await record(pool, {
      workflowId: `contact/${campaignId}/a1`, seq, campaignId, contactId, phonePosition: 1, e164: '+79166000001', numberAttempt: seq,
      messageText: null, countUnanswered: false, zones: [msk],
      result: decision.allowed
        ? { outcome: 'answered', gate: decision, channelId: `ra-${seq}`, hangupCause: 16, dtmf: null, listenedMs: 4000, startedAt: t, answeredAt: t, endedAt: t }
        : { outcome: 'refused', gate: decision, channelId: null, hangupCause: null, dtmf: null, listenedMs: null, startedAt: t, answeredAt: null, endedAt: t },
    });
  }
});
afterAll(async () => { await api?.close(); });

const code = (a: { errors?: { extensions?: { code?: string } }[] }): string | undefined => a.errors?.[0]?.extensions?.code;

it('admins and supervisors read the report, each section with its verdict and figures', async () => {
  for (const role of ['admin', 'supervisor'] as const) {
    const answer = await graphql(api.url, QUERY, { c: campaignId, from: FROM, to: TO }, api.keys[role]);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.complianceReport).toEqual({
      campaignId, from: '2026-11-23T21:00:00.000Z', to: '2026-11-24T21:00:00.000Z', passed: true,
      hours: {
        passed: true, dialled: 1, byHour: [{ hour: 10, calls: 1, outsideLegal: 0 }], outsideLegal: { count: 0, attemptIds: [] },
        windows: [{ campaignId, policy: 'ru_230fz', workingDay: { start: '08:00', end: '22:00' }, restDay: { start: '09:00', end: '20:00' } }],
      },
      caps: {
        passed: true, personsOver: 0, overCap: [],
        campaigns: [{ campaignId, period: 'calendar', countUnanswered: false, caps: { day: 1, week: 2, month: 8 }, max: { day: 1, week: 1, month: 1 }, countedCalls: 1 }],
      },
      refusals: { passed: true, total: 1, byReason: [{ reason: 'cap_reached', count: 1, rules: [{ rule: 'cap_person_day', count: 1 }] }], unexplained: { count: 0 } },
      proofs: { passed: true, dialled: 1, complete: 1, incomplete: { count: 0, attemptIds: [] }, byRule: [] },
    });
  }
  const all = await graphql(api.url, QUERY, { from: FROM, to: TO }, api.keys.supervisor);
  expect(all.data!.complianceReport).toMatchObject({ campaignId: null, passed: true, hours: { dialled: 1 } });
});

it('the ERP and viewers are refused, and a call without a key is unauthenticated', async () => {
  for (const role of ['erp', 'viewer'] as const) {
    expect(code(await graphql(api.url, QUERY, { c: campaignId, from: FROM, to: TO }, api.keys[role]))).toBe('FORBIDDEN');
  }
  expect(code(await graphql(api.url, QUERY, { c: campaignId, from: FROM, to: TO }))).toBe('UNAUTHENTICATED');
});

it('bad arguments name their field', async () => {
  const backwards = await graphql(api.url, QUERY, { c: campaignId, from: TO, to: FROM }, api.keys.admin);
  expect(code(backwards)).toBe('BAD_USER_INPUT');
  expect(backwards.errors![0].extensions!.issues).toEqual([{ path: 'to', message: 'must be after from' }]);
  const noOffset = await graphql(api.url, QUERY, { c: campaignId, from: '2026-11-24T00:00', to: TO }, api.keys.admin);
  expect(noOffset.errors![0].extensions!.issues![0].path).toBe('from');
  const unknown = await graphql(api.url, QUERY, { c: 'no-such-campaign', from: FROM, to: TO }, api.keys.admin);
  expect(unknown.errors![0].extensions!.issues).toEqual([{ path: 'campaignId', message: 'no such campaign' }]);
});

describe('GET /exports/compliance-report.csv', () => {
  const url = (q: Record<string, string>): string => `${base}/exports/compliance-report.csv?${new URLSearchParams(q)}`;
  const get = (q: Record<string, string>, key?: string): Promise<Response> =>
    fetch(url(q), { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('a supervisor downloads the report as CSV', async () => {
    const res = await get({ campaignId, from: FROM, to: TO }, api.keys.supervisor);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="compliance-report-api-2026-11-23.csv"');
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe('section,figure,value,detail');
    expect(lines).toEqual(expect.arrayContaining([
      'report,campaign,report-api,', 'report,passed,true,', 'hours,dialled,1,',
      'hours,hour 10,1,working days 1; rest days 0; outside legal 0; outside campaign 0',
      'caps,report-api day,1,"cap 1 (ru_230fz, calendar, unanswered do not count)"',
      'refusals,cap_reached,1,cap_person_day 1', 'proofs,incomplete,0,',
    ]));
  });

  it('refuses the ERP (403) and a request without a key (401), and names a bad argument (400)', async () => {
    expect((await get({ campaignId, from: FROM, to: TO }, api.keys.erp)).status).toBe(403);
    expect((await get({ campaignId, from: FROM, to: TO })).status).toBe(401);
    const bad = await get({ campaignId, from: FROM }, api.keys.admin);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { issues: unknown }).issues).toEqual([{ path: 'query.to', message: expect.any(String) }]);
  });
});
