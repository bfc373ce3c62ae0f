import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Caller-ID pools through the API: an admin creates and changes them, a supervisor reads them
// and points a campaign at one; bad input is refused naming the field, and nothing changes.

jest.setTimeout(60_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const POOL = 'name rotation inbound inboundMessage turns numbers { number regions } campaigns';
const issuesOf = (a: { errors?: { extensions?: { issues?: unknown } }[] }) => a.errors?.[0]?.extensions?.issues;
const create = (input: object, key = world.keys.admin) =>
  graphql(world.url, `mutation($input: CallerIdPoolInput!) { createCallerIdPool(input: $input) { ${POOL} } }`, { input }, key);
const pools = async (key = world.keys.supervisor) => (await graphql(world.url, `{ callerIdPools { ${POOL} } }`, {}, key)).data?.callerIdPools;

test('an admin creates a pool with its numbers, changes it, adds and removes numbers; a supervisor reads it', async () => {
  const made = await create({
    name: 'moscow', rotation: 'by_region', inbound: 'message', inboundMessage: 'dialer/callback&vm-goodbye',
    numbers: [{ number: '+74951110001', regions: ['г. Москва и Московская область'] }, { number: '+74951110002' }],
  });
  expect(made.errors).toBeUndefined();
  expect(made.data!.createCallerIdPool).toEqual({
    name: 'moscow', rotation: 'by_region', inbound: 'message', inboundMessage: 'dialer/callback&vm-goodbye', turns: 0,
    numbers: [{ number: '+74951110001', regions: ['г. Москва и Московская область'] }, { number: '+74951110002', regions: [] }],
    campaigns: [],
  });
  const changed = await graphql(world.url, `mutation { updateCallerIdPool(name: "moscow", patch: { rotation: in_turn, inbound: queue }) { ${POOL} } }`, {}, world.keys.admin);
  expect(changed.data!.updateCallerIdPool).toMatchObject({ rotation: 'in_turn', inbound: 'queue', inboundMessage: 'dialer/callback&vm-goodbye' });
  const added = await graphql(world.url, `mutation { addCallerIdNumbers(pool: "moscow", numbers: [{ number: "+74951110003" }]) { numbers { number } } }`, {}, world.keys.admin);
  expect(added.data!.addCallerIdNumbers.numbers.map((n: { number: string }) => n.number)).toEqual(['+74951110001', '+74951110002', '+74951110003']);
  const removed = await graphql(world.url, `mutation { removeCallerIdNumbers(pool: "moscow", numbers: ["+74951110001"]) { numbers { number } } }`, {}, world.keys.admin);
  expect(removed.data!.removeCallerIdNumbers.numbers.map((n: { number: string }) => n.number)).toEqual(['+74951110002', '+74951110003']);

  // A campaign dials from it: its setting, and the pool lists it.
  const campaign = await graphql(world.url, `mutation($input: NewCampaignInput!) { createCampaign(input: $input) { id settings { callerIdPool } } }`,
    { input: { id: 'pooled', name: 'Pooled', callerId: '+74950000000', callerIdPool: 'moscow' } }, world.keys.supervisor);
  expect(campaign.errors).toBeUndefined();
  expect(campaign.data!.createCampaign).toEqual({ id: 'pooled', settings: { callerIdPool: 'moscow' } });
  expect((await pools()).find((p: { name: string }) => p.name === 'moscow').campaigns).toEqual(['pooled']);
  const refused = await graphql(world.url, `mutation { deleteCallerIdPool(name: "moscow") }`, {}, world.keys.admin);
  expect(issuesOf(refused)).toEqual([{ path: 'name', message: expect.stringContaining('pooled') }]);
});

test('a number not in E.164 is refused naming the field, and nothing is written', async () => {
  const bad = await create({ name: 'spb', numbers: [{ number: '+78120000001' }, { number: '8 (812) 000-00-02' }] });
  expect(bad.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT', issues: [{ path: 'numbers.1.number', message: 'an E.164 number such as +74951234567' }],
  });
  const badAdd = await graphql(world.url, `mutation { addCallerIdNumbers(pool: "moscow", numbers: [{ number: "74951110009" }]) { name } }`, {}, world.keys.admin);
  expect(issuesOf(badAdd)).toEqual([{ path: 'numbers.0.number', message: 'an E.164 number such as +74951234567' }]);
  const names = (await pools()).map((p: { name: string }) => p.name);
  expect(names).not.toContain('spb');
  expect((await pools()).find((p: { name: string }) => p.name === 'moscow').numbers.map((n: { number: string }) => n.number)).not.toContain('74951110009');
});

test('other bad input: a number of another pool, an unknown pool, a bad name, a campaign naming no pool', async () => {
  const taken = await create({ name: 'other', numbers: [{ number: '+74951110002' }] });
  expect(issuesOf(taken)).toEqual([{ path: 'numbers.0.number', message: 'already in caller-ID pool moscow' }]);
  expect(await pools()).not.toContainEqual(expect.objectContaining({ name: 'other' }));
  const unknown = await graphql(world.url, `mutation { updateCallerIdPool(name: "nope", patch: { inbound: message }) { name } }`, {}, world.keys.admin);
  expect(issuesOf(unknown)).toEqual([{ path: 'name', message: 'no caller-ID pool of this name' }]);
  const badName = await create({ name: 'Main Pool' });
  expect(issuesOf(badName)).toEqual([{ path: 'name', message: expect.stringContaining('lowercase') }]);
  const noSuchPool = await graphql(world.url, `mutation($input: NewCampaignInput!) { createCampaign(input: $input) { id } }`,
    { input: { id: 'nopool', name: 'No pool', callerId: '+74950000000', callerIdPool: 'nope' } }, world.keys.admin);
  expect(issuesOf(noSuchPool)).toEqual([{ path: 'callerIdPool', message: 'no caller-ID pool of this name' }]);
});

test('only an admin changes pools; a viewer does not even read them', async () => {
  const bySupervisor = await create({ name: 'sneaky' }, world.keys.supervisor);
  expect(bySupervisor.errors![0].extensions?.code).toBe('FORBIDDEN');
  const byErp = await graphql(world.url, `mutation { deleteCallerIdPool(name: "moscow") }`, {}, world.keys.erp);
  expect(byErp.errors![0].extensions?.code).toBe('FORBIDDEN');
  const byViewer = await graphql(world.url, `{ callerIdPools { name } }`, {}, world.keys.viewer);
  expect(byViewer.errors![0].extensions?.code).toBe('FORBIDDEN');
});
