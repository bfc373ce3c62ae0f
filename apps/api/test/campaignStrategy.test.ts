import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// A campaign's strategy through the API: chosen at creation or by a patch, read back with its
// parameters' defaults, refused with the field path when the registry does not accept it.

jest.setTimeout(60_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const CREATE = `mutation($input: NewCampaignInput!) { createCampaign(input: $input) { id settings { strategy { name version params } } } }`;
const UPDATE = `mutation($id: String!, $patch: CampaignPatchInput!) { updateCampaign(id: $id, patch: $patch) { settings { strategy { name version params } } } }`;

test('a new campaign decides with simple v1 unless it says otherwise', async () => {
  const answer = await graphql(world.url, CREATE, { input: { id: 'strategy-default', name: 'x', callerId: '+74951234567' } }, world.keys.erp);
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.createCampaign).toEqual({ id: 'strategy-default', settings: { strategy: { name: 'simple', version: 1, params: {} } } });
});

test('byOutcome is chosen by a patch and read back with its defaults filled in', async () => {
  const patch = { strategy: { name: 'byOutcome', version: 1, params: { busy: { retries: 3, intervalSeconds: 300 }, intervalByKind: { mobile: 900 } } } };
  const answer = await graphql(world.url, UPDATE, { id: 'strategy-default', patch }, world.keys.erp);
  expect(answer.errors).toBeUndefined();
  const { strategy } = (answer.data!.updateCampaign as { settings: { strategy: { params: Record<string, unknown> } } }).settings;
  expect(strategy).toMatchObject({ name: 'byOutcome', version: 1 });
  expect(strategy.params).toMatchObject({
    busy: { retries: 3, intervalSeconds: 300, nextNumber: true }, no_answer: { retries: 2, intervalSeconds: 3600, nextNumber: true },
    intervalByKind: { mobile: 900 }, maxAttemptsPerContact: 10,
  });
  const { rows } = await world.db.pool.query(`SELECT strategy FROM campaign WHERE id = 'strategy-default'`);
  expect(rows[0].strategy).toEqual(strategy);
});

test('an unknown strategy or a parameter out of range is refused with its path, and nothing is written', async () => {
  const unknown = await graphql(world.url, UPDATE, { id: 'strategy-default', patch: { strategy: { name: 'bestTime', version: 1 } } }, world.keys.erp);
  expect(unknown.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'strategy.name' }] });
  const outOfRange = await graphql(world.url, UPDATE, {
    id: 'strategy-default', patch: { strategy: { name: 'byOutcome', version: 1, params: { busy: { retries: 99 } } } },
  }, world.keys.erp);
  expect(outOfRange.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'strategy.params.busy.retries' }] });
  const { rows } = await world.db.pool.query(`SELECT strategy -> 'params' -> 'busy' ->> 'retries' AS retries FROM campaign WHERE id = 'strategy-default'`);
  expect(rows[0].retries).toBe('3');
});

test('a campaign whose strategy would hand over to SMS is refused at creation and by a patch, naming the parameter', async () => {
  const handover = { name: 'byOutcome', version: 1, params: { no_answer: { retries: 1, then: 'handover_sms' } } };
  const created = await graphql(world.url, CREATE, {
    input: { id: 'strategy-handover', name: 'x', callerId: '+74951234567', strategy: handover },
  }, world.keys.erp);
  expect(created.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    issues: [{ path: 'strategy.params.no_answer.then', message: 'hand-over to sms is not available (no sms channel is configured)' }],
  });
  const { rows } = await world.db.pool.query(`SELECT count(*)::int AS n FROM campaign WHERE id = 'strategy-handover'`);
  expect(rows[0].n).toBe(0);
  const patched = await graphql(world.url, UPDATE, { id: 'strategy-default', patch: { strategy: handover } }, world.keys.erp);
  expect(patched.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'strategy.params.no_answer.then' }] });
});

test('a strategy\'s retry that can never fall inside the campaign\'s hours is refused, naming the parameter', async () => {
  const answer = await graphql(world.url, CREATE, {
    input: {
      id: 'strategy-one-day', name: 'x', callerId: '+74951234567', startDate: '2026-03-02', endDate: '2026-03-02',
      strategy: { name: 'byOutcome', version: 1, params: { busy: { intervalSeconds: 86_400 } } },
    },
  }, world.keys.erp);
  expect(answer.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    issues: [{ path: 'strategy.params.busy.intervalSeconds', message: expect.stringContaining('can never fall inside the campaign\'s hours') }],
  });
});
