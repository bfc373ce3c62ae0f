import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// The rule profiles through the API: every reader sees the presets with their legal references;
// only an admin edits them, bad values are named by their field, and each edit is audited. A
// campaign's purpose is one of its settings.

jest.setTimeout(120_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const PROFILE = `purpose legalPolicy consentRequired honourMassCallRefusals synthesizedPromptIsConversation recordAnswered
  recordRetentionDays recordingRetentionDays legalBasis updatedBy`;
const profiles = async (key = world.keys.viewer) => graphql(world.url, `{ ruleProfiles { ${PROFILE} } }`, {}, key);
const update = (purpose: string, patch: object, key = world.keys.admin) => graphql(world.url,
  `mutation($purpose: Purpose!, $patch: RuleProfilePatchInput!) { updateRuleProfile(purpose: $purpose, patch: $patch) { ${PROFILE} } }`,
  { purpose, patch }, key);
const issuesOf = (a: { errors?: { extensions?: { issues?: unknown } }[] }) => a.errors?.[0]?.extensions?.issues;
const codeOf = (a: { errors?: { extensions?: { code?: string } }[] }) => a.errors?.[0]?.extensions?.code;

test('the presets: each purpose\'s rules and the laws they encode', async () => {
  const answer = await profiles();
  expect(answer.errors).toBeUndefined();
  const byPurpose = Object.fromEntries((answer.data!.ruleProfiles as { purpose: string; legalBasis: string }[]).map((p) => [p.purpose, p]));
  expect(Object.keys(byPurpose).sort()).toEqual(['advertising', 'debt_collection', 'emergency', 'service']);
  expect(byPurpose.debt_collection).toMatchObject({
    legalPolicy: 'ru_230fz', consentRequired: 'third_parties', honourMassCallRefusals: true, synthesizedPromptIsConversation: true,
    recordAnswered: true, recordRetentionDays: 1095, recordingRetentionDays: 1095, updatedBy: 'preset',
  });
  expect(byPurpose.debt_collection.legalBasis).toEqual(expect.stringContaining('MoJ order No. 134 of 2024-05-06'));
  expect(byPurpose.debt_collection.legalBasis).toEqual(expect.stringContaining('467-FZ'));
  expect(byPurpose.advertising).toMatchObject({ consentRequired: 'everyone', recordAnswered: false });
  expect(byPurpose.advertising.legalBasis).toEqual(expect.stringContaining('38-FZ art. 18'));
  expect(byPurpose.emergency).toMatchObject({ consentRequired: 'nobody', honourMassCallRefusals: false });
  expect(byPurpose.service.legalBasis).toEqual(expect.stringContaining('152-FZ'));
});

test('only an admin edits a profile; bad values are named; the edit is audited with before and after', async () => {
  expect(codeOf(await update('service', { recordAnswered: true }, world.keys.supervisor))).toBe('FORBIDDEN');
  expect(codeOf(await update('service', { recordAnswered: true }, world.keys.erp))).toBe('FORBIDDEN');
  expect(issuesOf(await update('service', { recordRetentionDays: 0, legalBasis: ' ' }))).toEqual([
    { path: 'patch.recordRetentionDays', message: 'at least 1 day' },
    { path: 'patch.legalBasis', message: 'must not be empty: the laws the profile encodes' },
  ]);
  const changed = await update('service', { recordAnswered: true, recordingRetentionDays: 180 });
  expect(changed.errors).toBeUndefined();
  expect(changed.data!.updateRuleProfile).toMatchObject({ purpose: 'service', recordAnswered: true, recordingRetentionDays: 180, updatedBy: 'key:test-admin' });
  const { rows } = await world.db.pool.query(`SELECT actor, details FROM audit_log WHERE action = 'rule_profile.updated' AND entity_id = 'service'`);
  expect(rows).toEqual([{ actor: 'key:test-admin', details: { recordAnswered: { from: false, to: true }, recordingRetentionDays: { from: 90, to: 180 } } }]);
});

test('a campaign\'s purpose is a setting (service by default), and one that is not a purpose is refused', async () => {
  const create = (input: object) => graphql(world.url,
    'mutation($input: NewCampaignInput!) { createCampaign(input: $input) { id settings { purpose } } }', { input }, world.keys.admin);
  const made = await create({ id: 'purpose-1', name: 'P', callerId: '+74950000000', purpose: 'debt_collection' });
  expect(made.errors).toBeUndefined();
  expect(made.data!.createCampaign.settings.purpose).toBe('debt_collection');
  expect((await create({ id: 'purpose-2', name: 'P', callerId: '+74950000000' })).data!.createCampaign.settings.purpose).toBe('service');
  const bad = await create({ id: 'purpose-3', name: 'P', callerId: '+74950000000', purpose: 'lottery' });
  expect(bad.data ?? null).toBeNull();
  expect(bad.errors?.[0].message).toMatch(/"lottery".*purpose|purpose.*"lottery"/);
});
