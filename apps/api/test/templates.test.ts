import { createTestCampaign } from '../../../test/fixtures';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Message templates through the API, as the ERP and the console use them.

jest.setTimeout(60_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const FIELDS = 'id name body createdAt variables campaignIds';
const create = (input: object, key = world.keys.erp) =>
  graphql(world.url, `mutation($input: NewTemplateInput!) { createTemplate(input: $input) { ${FIELDS} } }`, { input }, key);
const issuesOf = (a: { errors?: { extensions?: { issues?: unknown } }[] }) => a.errors?.[0]?.extensions?.issues;

test('a template is created, read, listed a page at a time and updated', async () => {
  const made = await create({ name: ' Reminder ', body: 'Здравствуйте, {{NAME}}! Ваш долг {{BALANCE|money}}.' });
  expect(made.errors).toBeUndefined();
  const t = made.data!.createTemplate;
  expect(t).toMatchObject({
    name: 'Reminder', body: 'Здравствуйте, {{NAME}}! Ваш долг {{BALANCE|money}}.', variables: ['NAME', 'BALANCE'], campaignIds: [],
  });
  const second = (await create({ name: 'Second', body: 'Hello {{NAME}}' })).data!.createTemplate;

  const read = await graphql(world.url, `query($id: Int!) { template(id: $id) { name } }`, { id: t.id }, world.keys.viewer);
  expect(read.data!.template).toEqual({ name: 'Reminder' });
  const page1 = await graphql(world.url, '{ templates(first: 1) { id } }', {}, world.keys.viewer);
  expect(page1.data!.templates).toEqual([{ id: t.id }]);
  const page2 = await graphql(world.url, `query($after: Int) { templates(after: $after, first: 10) { id } }`, { after: t.id }, world.keys.viewer);
  expect(page2.data!.templates).toEqual([{ id: second.id }]);

  const updated = await graphql(world.url, `mutation($id: Int!) { updateTemplate(id: $id, patch: { body: "Hi {{NAME}}" }) { name body } }`,
    { id: second.id }, world.keys.supervisor);
  expect(updated.data!.updateTemplate).toEqual({ name: 'Second', body: 'Hi {{NAME}}' });
});

test('a malformed body is refused naming the problem, and nothing is written', async () => {
  const bad = await create({ name: 'bad-filter', body: 'Долг {{BALANCE|foo}}.' });
  expect(bad.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT', issues: [{ path: 'body', message: 'unknown filter "foo" at {{BALANCE|foo}} (known: money, date, number, digits)' }],
  });
  expect(bad.errors![0].message).toBe('body: unknown filter "foo" at {{BALANCE|foo}} (known: money, date, number, digits)');
  expect(issuesOf(await create({ name: 'unclosed', body: 'Долг {{BALANCE' }))).toEqual([{ path: 'body', message: '"{{" is not closed at "{{BALANCE"' }]);
  expect(issuesOf(await create({ name: '', body: 'x' }))).toEqual([{ path: 'name', message: 'must not be empty' }]);
  const { rows } = await world.db.pool.query(`SELECT 1 FROM template WHERE name IN ('bad-filter', 'unclosed', '')`);
  expect(rows).toHaveLength(0);
});

test('a name is unique; an update may not take another template\'s name or break the body', async () => {
  await create({ name: 'Unique', body: 'x' });
  expect(issuesOf(await create({ name: 'Unique', body: 'y' }))).toEqual([{ path: 'name', message: 'a template with this name exists' }]);
  const other = (await create({ name: 'Other', body: 'z' })).data!.createTemplate;
  const rename = await graphql(world.url, `mutation($id: Int!) { updateTemplate(id: $id, patch: { name: "Unique" }) { id } }`, { id: other.id }, world.keys.erp);
  expect(issuesOf(rename)).toEqual([{ path: 'name', message: 'a template with this name exists' }]);
  const body = await graphql(world.url, `mutation($id: Int!) { updateTemplate(id: $id, patch: { body: "{{A|b}}" }) { id } }`, { id: other.id }, world.keys.erp);
  expect(issuesOf(body)).toEqual([{ path: 'body', message: expect.stringContaining('unknown filter "b"') }]);
  const missing = await graphql(world.url, 'mutation { updateTemplate(id: 999999, patch: { body: "x" }) { id } }', {}, world.keys.erp);
  expect(issuesOf(missing)).toEqual([{ path: 'id', message: 'no template with this id' }]);
  expect((await world.db.pool.query(`SELECT body FROM template WHERE id = $1`, [other.id])).rows).toEqual([{ body: 'z' }]);
});

test('a template a campaign uses is not deleted: the refusal names the campaigns', async () => {
  const t = (await create({ name: 'In use', body: 'Hello {{NAME}}' })).data!.createTemplate;
  const campaignId = await createTestCampaign(world.db.pool, { templateId: t.id, state: 'draft' });
  const refused = await graphql(world.url, `mutation($id: Int!) { deleteTemplate(id: $id) }`, { id: t.id }, world.keys.erp);
  expect(refused.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT', issues: [{ path: 'id', message: `used by campaign ${campaignId}: give them another template first` }],
  });
  const read = await graphql(world.url, `query($id: Int!) { template(id: $id) { campaignIds } }`, { id: t.id }, world.keys.viewer);
  expect(read.data!.template).toEqual({ campaignIds: [campaignId] });

  const free = (await create({ name: 'Unused', body: 'Bye' })).data!.createTemplate;
  expect((await graphql(world.url, `mutation($id: Int!) { deleteTemplate(id: $id) }`, { id: free.id }, world.keys.erp)).data).toEqual({ deleteTemplate: true });
  expect((await graphql(world.url, `mutation($id: Int!) { deleteTemplate(id: $id) }`, { id: free.id }, world.keys.erp)).data).toEqual({ deleteTemplate: false });
  expect((await graphql(world.url, `query($id: Int!) { template(id: $id) { id } }`, { id: free.id }, world.keys.erp)).data).toEqual({ template: null });
});

const PREVIEW = `query($input: TemplatePreviewInput!) { previewTemplate(input: $input) { text pieces { kind text clip } variables } }`;

test('a preview renders a stored template or a body with the variables given', async () => {
  const t = (await create({ name: 'Preview', body: 'Долг {{BALANCE|money}}, {{NAME}}, до {{DUE|date}}.' })).data!.createTemplate;
  const stored = await graphql(world.url, PREVIEW, {
    input: { templateId: t.id, variables: { NAME: 'Анна', BALANCE: -68.27, DUE: '05.12.2026' } },
  }, world.keys.viewer);
  expect(stored.data!.previewTemplate).toEqual({
    text: 'Долг 68 рублей 27 копеек, Анна, до 05.12.2026.',
    pieces: [
      { kind: 'static', text: 'Долг', clip: null },
      { kind: 'personal', text: 'шестьдесят восемь рублей двадцать семь копеек', clip: null },
      { kind: 'personal', text: 'Анна', clip: null },
      { kind: 'static', text: ', до', clip: null },
      { kind: 'personal', text: 'пятое декабря две тысячи двадцать шестого года', clip: null },
    ],
    variables: ['BALANCE', 'NAME', 'DUE'],
  });
  const body = await graphql(world.url, PREVIEW, { input: { body: 'Договор {{N|digits}}', variables: { N: '42' } } }, world.keys.erp);
  expect(body.data!.previewTemplate).toEqual({
    text: 'Договор 42', pieces: [{ kind: 'static', text: 'Договор', clip: null }, { kind: 'personal', text: 'четыре два', clip: null }], variables: ['N'],
  });
});

test('a preview names a missing variable, a bad value, a bad body and a missing template', async () => {
  const issues = async (input: object) => issuesOf(await graphql(world.url, PREVIEW, { input }, world.keys.erp));
  expect(await issues({ body: 'Hi {{NAME}}', variables: {} })).toEqual([{ path: 'variables.NAME', message: 'missing (the template uses {{NAME}})' }]);
  expect(await issues({ body: '{{B|money}}', variables: { B: 'many' } })).toEqual([{ path: 'variables.B', message: expect.stringContaining('not an amount') }]);
  expect(await issues({ body: '{{D|date}}', variables: { D: '31.02.2026' } })).toEqual([{ path: 'variables.D', message: expect.stringContaining('not a date') }]);
  expect(await issues({ body: '{{B|rub}}' })).toEqual([{ path: 'body', message: expect.stringContaining('unknown filter "rub"') }]);
  expect(await issues({ templateId: 999999 })).toEqual([{ path: 'templateId', message: 'no template with this id' }]);
  expect(await issues({ templateId: 1, body: 'x' })).toEqual([{ path: 'templateId', message: 'give either templateId or body' }]);
  expect(await issues({ body: 'x', contactId: 999999 })).toEqual([{ path: 'contactId', message: 'no contact with this id' }]);
});

test('a viewer reads templates but changes none', async () => {
  const answer = await create({ name: 'By viewer', body: 'x' }, world.keys.viewer);
  expect(answer.errors![0].extensions!.code).toBe('FORBIDDEN');
});
