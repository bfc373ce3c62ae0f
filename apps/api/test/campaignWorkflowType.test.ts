import { randomBytes } from 'node:crypto';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// The campaign's workflowType through the API: a registered contact workflow type
// (domain/strategies/workflowTypes.ts), contactWorkflow unless named, an unknown one refused
// with its field.

jest.setTimeout(60_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const CREATE = `mutation($input: NewCampaignInput!) { createCampaign(input: $input) { id settings { workflowType } } }`;
const UPDATE = `mutation($id: String!, $patch: CampaignPatchInput!) { updateCampaign(id: $id, patch: $patch) { settings { workflowType } } }`;

test('a campaign runs contactWorkflow unless it names a registered strategy workflow', async () => {
  const id = `wt-${randomBytes(3).toString('hex')}`;
  const created = await graphql(world.url, CREATE, { input: { id, name: 'x', callerId: '+74951234567' } }, world.keys.erp);
  expect(created.errors).toBeUndefined();
  expect(created.data!.createCampaign).toEqual({ id, settings: { workflowType: 'contactWorkflow' } });

  const updated = await graphql(world.url, UPDATE, { id, patch: { workflowType: 'mobileThenHome' } }, world.keys.erp);
  expect(updated.errors).toBeUndefined();
  expect(updated.data!.updateCampaign).toEqual({ settings: { workflowType: 'mobileThenHome' } });
  const { rows } = await world.db.pool.query('SELECT workflow_type FROM campaign WHERE id = $1', [id]);
  expect(rows).toEqual([{ workflow_type: 'mobileThenHome' }]);
});

test('an unknown workflow type is refused, naming workflowType, and nothing is written', async () => {
  const id = `wt-${randomBytes(3).toString('hex')}`;
  const answer = await graphql(world.url, CREATE, { input: { id, name: 'x', callerId: '+74951234567', workflowType: 'callForever' } }, world.keys.erp);
  expect(answer.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    issues: [{ path: 'workflowType', message: expect.stringContaining('unknown contact workflow type "callForever"; registered: contactWorkflow, mobileThenHome') }],
  });
  expect((await world.db.pool.query('SELECT 1 FROM campaign WHERE id = $1', [id])).rowCount).toBe(0);
});
