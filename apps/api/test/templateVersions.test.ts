import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { upsertAudioClip } from '../../../adapters/postgres/audioClips';
import { campaignWorkflowId } from '../../../domain/ids';
import { insertContact } from '../../../test/fixtures';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Template versions, speech settings, clips and the variables a campaign's contacts must have,
// through the API as the ERP and the console use them.

jest.setTimeout(60_000);

let world: ApiWorld;
const started: string[] = [];
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => {
  // No worker polls this test's queue: the campaign workflows started here are ended here.
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  const client = new Client({ connection });
  for (const id of started) await client.workflow.getHandle(campaignWorkflowId(id)).terminate('test over').catch(() => undefined);
  await connection.close();
  await world?.close();
});

type Answer = Awaited<ReturnType<typeof graphql>>;
const issuesOf = (a: Answer) => a.errors?.[0]?.extensions?.issues;
const ok = async (query: string, variables: Record<string, unknown> = {}, key = world.keys.erp) => {
  const answer = await graphql(world.url, query, variables, key);
  expect(answer.errors).toBeUndefined();
  return answer.data!;
};

const TEMPLATE = 'id name body version variables clips speech { provider voice speed emotion } versions { version body speech { provider speed } clips }';
const createTemplate = (input: object) =>
  graphql(world.url, `mutation($input: NewTemplateInput!) { createTemplate(input: $input) { ${TEMPLATE} } }`, { input }, world.keys.erp);
const updateTemplate = (id: number, patch: object) =>
  graphql(world.url, `mutation($id: Int!, $patch: TemplatePatchInput!) { updateTemplate(id: $id, patch: $patch) { ${TEMPLATE} } }`, { id, patch }, world.keys.erp);
const newCampaignId = () => `tv-${randomBytes(4).toString('hex')}`;
const createCampaign = (id: string, templateId: number, templateVersion?: number) => graphql(world.url,
  `mutation($input: NewCampaignInput!, $v: Int) { createCampaign(input: $input, templateVersion: $v) { id templateVersion settings { templateId } } }`,
  { input: { id, name: id, callerId: '+74950000000', templateId }, v: templateVersion ?? null }, world.keys.erp);

test('an edit makes a new version; the old one is unchanged and a campaign keeps the version it pinned', async () => {
  const made = await createTemplate({ name: 'Versions', body: 'Здравствуйте, {{NAME}}.', speech: { provider: 'speechkit-v3', voice: 'alena', emotion: 'good' } });
  expect(made.errors).toBeUndefined();
  const t = made.data!.createTemplate;
  expect(t).toMatchObject({
    version: 1, variables: ['NAME'], clips: [],
    speech: { provider: 'speechkit-v3', voice: 'alena', speed: 1, emotion: 'good' },
    versions: [{ version: 1, body: 'Здравствуйте, {{NAME}}.', speech: { provider: 'speechkit-v3', speed: 1 }, clips: [] }],
  });
  const campaignId = newCampaignId();
  expect((await createCampaign(campaignId, t.id)).data!.createCampaign).toEqual({ id: campaignId, templateVersion: 1, settings: { templateId: t.id } });

  const renamed = (await updateTemplate(t.id, { name: 'Versions, renamed' })).data!.updateTemplate;
  expect(renamed.version).toBe(1);
  const edited = (await updateTemplate(t.id, { body: 'Добрый день, {{NAME}}. Долг {{B|money}}.' })).data!.updateTemplate;
  expect(edited).toMatchObject({ version: 2, variables: ['NAME', 'B'] });
  expect(edited.versions.map((v: { version: number; body: string }) => [v.version, v.body])).toEqual([
    [2, 'Добрый день, {{NAME}}. Долг {{B|money}}.'], [1, 'Здравствуйте, {{NAME}}.'],
  ]);
  const slower = (await updateTemplate(t.id, { speech: { provider: 'offline', speed: 0.8 } })).data!.updateTemplate;
  expect(slower).toMatchObject({ version: 3, speech: { provider: 'offline', voice: null, speed: 0.8, emotion: null } });
  expect(slower.versions[1]).toMatchObject({ version: 2, speech: { provider: 'speechkit-v3', speed: 1 } });

  const read = await ok(`query($id: String!) { campaign(id: $id) { templateVersion } }`, { id: campaignId });
  expect(read.campaign).toEqual({ templateVersion: 1 });
  const preview = await ok(`query($i: TemplatePreviewInput!) { previewTemplate(input: $i) { text } }`,
    { i: { templateId: t.id, version: 1, variables: { NAME: 'Анна' } } });
  expect(preview.previewTemplate).toEqual({ text: 'Здравствуйте, Анна.' });
  expect(issuesOf(await graphql(world.url, `query($i: TemplatePreviewInput!) { previewTemplate(input: $i) { text } }`,
    { i: { templateId: t.id, version: 9 } }, world.keys.erp))).toEqual([{ path: 'version', message: `template ${t.id} has no version 9` }]);

  // A campaign made now pins the latest; one may name an older version, which must exist.
  const later = newCampaignId();
  expect((await createCampaign(later, t.id)).data!.createCampaign.templateVersion).toBe(3);
  const older = newCampaignId();
  expect((await createCampaign(older, t.id, 2)).data!.createCampaign.templateVersion).toBe(2);
  const missing = await createCampaign(newCampaignId(), t.id, 7);
  expect(issuesOf(missing)).toEqual([{ path: 'templateVersion', message: `template ${t.id} has no version 7` }]);
  const moved = await ok(`mutation($id: String!) { updateCampaign(id: $id, patch: {}, templateVersion: 3) { templateVersion } }`, { id: campaignId });
  expect(moved.updateCampaign).toEqual({ templateVersion: 3 });
});

test('speech settings are checked by the domain schema, naming the field', async () => {
  const bad = await createTemplate({ name: 'Bad speech', body: 'x', speech: { provider: 'google', speed: 7 } });
  expect(issuesOf(bad)).toEqual(expect.arrayContaining([
    { path: 'speech.provider', message: expect.stringContaining('speechkit-v1') },
    { path: 'speech.speed', message: expect.any(String) },
  ]));
});

test('a body naming a clip not uploaded is refused naming it; an uploaded one is pinned by its key', async () => {
  const refused = await createTemplate({ name: 'Clip missing', body: 'Привет. {{audio:jingle}} {{audio:outro}}' });
  expect(issuesOf(refused)).toEqual([{ path: 'body', message: 'no audio clip named jingle, outro (upload them first: POST /uploads/audio?name=…)' }]);
  expect((await world.db.pool.query(`SELECT 1 FROM template WHERE name = 'Clip missing'`)).rowCount).toBe(0);

  await upsertAudioClip(world.db.pool, { name: 'jingle', audioKey: 'key-1', durationMs: 1000, sourceFormat: 'wav' });
  const t = (await createTemplate({ name: 'With clip', body: 'Привет. {{audio:jingle}}' })).data!.createTemplate;
  expect(t).toMatchObject({ clips: ['jingle'], version: 1 });
  const preview = await ok(`query($i: TemplatePreviewInput!) { previewTemplate(input: $i) { text pieces { kind text clip } } }`,
    { i: { templateId: t.id } });
  expect(preview.previewTemplate).toEqual({
    text: 'Привет. [audio:jingle]', pieces: [{ kind: 'static', text: 'Привет.', clip: null }, { kind: 'clip', text: null, clip: 'jingle' }],
  });

  // Uploaded again, the clip reaches the template at its next edit: a new version with the new key.
  await upsertAudioClip(world.db.pool, { name: 'jingle', audioKey: 'key-2', durationMs: 900, sourceFormat: 'mp3' });
  const edited = (await updateTemplate(t.id, { name: 'With clip, again' })).data!.updateTemplate;
  expect(edited.version).toBe(2);
  const { rows } = await world.db.pool.query(`SELECT version, clips FROM template_version WHERE template_id = $1 ORDER BY version`, [t.id]);
  expect(rows).toEqual([{ version: 1, clips: { jingle: 'key-1' } }, { version: 2, clips: { jingle: 'key-2' } }]);

  const clips = await ok('{ audioClips { name durationMs sourceFormat templateIds } }');
  expect(clips.audioClips).toEqual([{ name: 'jingle', durationMs: 900, sourceFormat: 'mp3', templateIds: [t.id] }]);
  const inUse = await graphql(world.url, 'mutation { deleteAudioClip(name: "jingle") }', {}, world.keys.erp);
  expect(issuesOf(inUse)).toEqual([{ path: 'name', message: `played by template ${t.id}: take {{audio:jingle}} out of them first` }]);
  await updateTemplate(t.id, { body: 'Привет.' });
  expect(await ok('mutation { deleteAudioClip(name: "jingle") }')).toEqual({ deleteAudioClip: true });
  expect(await ok('mutation { deleteAudioClip(name: "jingle") }')).toEqual({ deleteAudioClip: false });
});

test('starting a campaign whose contacts lack a variable of its template is refused, naming it and how many lack it', async () => {
  const t = (await createTemplate({ name: 'Needs balance', body: '{{NAME}}, долг {{BALANCE|money}} по договору {{CONTRACT|digits}}.' })).data!.createTemplate;
  const id = newCampaignId();
  await ok(`mutation($input: NewCampaignInput!) { createCampaign(input: $input) { id } }`,
    { input: { id, name: id, callerId: '+74950000000', templateId: t.id } });
  await insertContact(world.db.pool, id, 'a', ['+79160000001'], { BALANCE: '-1.00', CONTRACT: '12' });
  await insertContact(world.db.pool, id, 'b', ['+79160000002'], { CONTRACT: '13' });
  await insertContact(world.db.pool, id, 'c', ['+79160000003'], { BALANCE: ' ', CONTRACT: '14' }, '');
  await insertContact(world.db.pool, id, 'd', ['+79160000004'], { BALANCE: '5' });

  const start = () => graphql(world.url, `mutation($id: String!) { startCampaign(id: $id) { state } }`, { id }, world.keys.erp);
  const refused = await start();
  expect(issuesOf(refused)).toEqual([
    { path: 'templateId', message: '1 contact lacks NAME (the template uses {{NAME}})' },
    { path: 'templateId', message: '2 contacts lack BALANCE (the template uses {{BALANCE}})' },
    { path: 'templateId', message: '1 contact lacks CONTRACT (the template uses {{CONTRACT}})' },
  ]);
  expect(refused.errors![0].message).toContain('templateId: 2 contacts lack BALANCE (the template uses {{BALANCE}})');
  expect((await world.db.pool.query('SELECT state FROM campaign WHERE id = $1', [id])).rows).toEqual([{ state: 'draft' }]);

  // Pointing the campaign at a template its contacts can fill is allowed; back to the first is refused.
  const simple = (await createTemplate({ name: 'Only contract', body: 'Договор {{CONTRACT}}.' })).data!.createTemplate;
  const toSimple = await graphql(world.url, `mutation($id: String!, $t: Int!) { updateCampaign(id: $id, patch: { templateId: $t }) { templateVersion } }`,
    { id, t: simple.id }, world.keys.erp);
  expect(issuesOf(toSimple)).toEqual([{ path: 'templateId', message: '1 contact lacks CONTRACT (the template uses {{CONTRACT}})' }]);
  await world.db.pool.query(`INSERT INTO contact_variable (contact_id, name, value)
    SELECT id, 'CONTRACT', '99' FROM contact WHERE campaign_id = $1 AND external_id = 'd'`, [id]);
  await ok(`mutation($id: String!, $t: Int!) { updateCampaign(id: $id, patch: { templateId: $t }) { id } }`, { id, t: simple.id });
  const back = await graphql(world.url, `mutation($id: String!, $t: Int!) { updateCampaign(id: $id, patch: { templateId: $t }) { id } }`,
    { id, t: t.id }, world.keys.erp);
  expect(issuesOf(back)!.map((i) => i.message)).toEqual([
    '1 contact lacks NAME (the template uses {{NAME}})', '2 contacts lack BALANCE (the template uses {{BALANCE}})',
  ]);

  started.push(id);
  expect((await start()).data).toEqual({ startCampaign: { state: 'running' } });
});
