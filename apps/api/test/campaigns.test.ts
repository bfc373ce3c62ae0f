import { randomBytes } from 'node:crypto';
import { Connection, Client } from '@temporalio/client';
import { campaignWorkflowId } from '../../../domain/ids';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// A campaign's settings and life through the API, as the ERP drives them.

jest.setTimeout(60_000);

// Workflow ids live on the shared Temporal server: a campaign id of this run's own.
const ID = `erp-${randomBytes(3).toString('hex')}`;

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => {
  // No worker polls this test's queue: the started campaign workflow is ended here.
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  await new Client({ connection }).workflow.getHandle(campaignWorkflowId(ID)).terminate('test over').catch(() => undefined);
  await connection.close();
  await world?.close();
});

const CREATE = `mutation($input: NewCampaignInput!) { createCampaign(input: $input) {
  id state settings { name windowStart windowEnd legalPolicy caps { person { day week } } weeklyHours policyOptions { period } }
  counters { contacts pending } } }`;

test('a campaign is created with the given settings and the defaults for the rest', async () => {
  const answer = await graphql(world.url, CREATE, {
    input: {
      id: ID, name: 'Collection, December', callerId: '+74951234567', legalPolicy: 'ru_230fz',
      caps: { person: { day: 1, week: 2 } }, weeklyHours: { 6: ['10:00', '16:00'], 7: null }, policyOptions: { period: 'rolling' },
    },
  }, world.keys.erp);
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.createCampaign).toEqual({
    id: ID, state: 'draft',
    settings: {
      name: 'Collection, December', windowStart: '09:00', windowEnd: '20:00', legalPolicy: 'ru_230fz',
      caps: { person: { day: 1, week: 2 } }, weeklyHours: { 6: ['10:00', '16:00'], 7: null }, policyOptions: { period: 'rolling' },
    },
    counters: { contacts: 0, pending: 0 },
  });
});

test('bad settings are refused with every field path, and nothing is written', async () => {
  const answer = await graphql(world.url, CREATE, {
    input: { id: 'erp-bad', name: 'x', callerId: '+74951234567', windowStart: '21:00', windowEnd: '08:00', caps: { person: { day: -1 } } },
  }, world.keys.erp);
  expect(answer.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    issues: expect.arrayContaining([
      { path: 'caps.person.day', message: expect.any(String) },
      { path: 'windowEnd', message: expect.stringContaining('windowStart') },
    ]),
  });
  expect((await world.db.pool.query(`SELECT 1 FROM campaign WHERE id = 'erp-bad'`)).rowCount).toBe(0);
});

test('a GraphQL type error names the argument path', async () => {
  const answer = await graphql(world.url, CREATE, { input: { id: 'erp-2', name: 'x', callerId: '+74951234567', maxInFlight: 'many' } }, world.keys.erp);
  expect(answer.errors![0].message).toMatch(/maxInFlight/);
});

test('an update changes only what it names; a patch that breaks a rule against stored values is refused', async () => {
  const ok = await graphql(world.url, `mutation { updateCampaign(id: "${ID}", patch: { windowEnd: "19:00", maxAttemptsPerNumber: 5 }) {
    settings { windowStart windowEnd maxAttemptsPerNumber legalPolicy } } }`, {}, world.keys.supervisor);
  expect(ok.data!.updateCampaign.settings).toEqual({ windowStart: '09:00', windowEnd: '19:00', maxAttemptsPerNumber: 5, legalPolicy: 'ru_230fz' });
  const bad = await graphql(world.url, `mutation { updateCampaign(id: "${ID}", patch: { windowStart: "19:30" }) { id } }`, {}, world.keys.supervisor);
  expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: 'windowEnd' }] });
});

test('start, pause and resume are idempotent and say what they did', async () => {
  const call = async (m: string) => (await graphql(world.url, `mutation { ${m}(id: "${ID}") { from state changed } }`, {}, world.keys.erp)).data![m];
  expect(await call('startCampaign')).toEqual({ from: 'draft', state: 'running', changed: true });
  expect(await call('startCampaign')).toEqual({ from: 'running', state: 'running', changed: false });
  expect(await call('pauseCampaign')).toEqual({ from: 'running', state: 'paused', changed: true });
  expect(await call('pauseCampaign')).toEqual({ from: 'paused', state: 'paused', changed: false });
  expect(await call('resumeCampaign')).toEqual({ from: 'paused', state: 'running', changed: true });
  expect(await call('resumeCampaign')).toEqual({ from: 'running', state: 'running', changed: false });
  const listed = await graphql(world.url, '{ campaigns(first: 10) { id state } }', {}, world.keys.viewer);
  expect(listed.data!.campaigns).toEqual([{ id: ID, state: 'running' }]);
  expect(await call('stopCampaign')).toEqual({ from: 'running', state: 'cancelled', changed: true });
  expect(await call('stopCampaign')).toEqual({ from: 'cancelled', state: 'cancelled', changed: false });
  const resumed = await graphql(world.url, `mutation { resumeCampaign(id: "${ID}") { state } }`, {}, world.keys.erp);
  expect(resumed.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
});
