import {
  getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType,
  type GraphQLField, type GraphQLInputType, type GraphQLObjectType,
} from 'graphql';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { ApiRole } from '../../../adapters/postgres/apiAccess';
import { FIELD_ROLES } from '../src/auth/roles';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';
import { subscribe, wsClient, type Watched } from './liveClient';

// Every query and mutation of the schema, called anonymously and as every role: anonymous
// calls are refused (but logging in), and a role the field does not name is refused, while the
// roles it names get past the guard. A field added without roles fails here.

jest.setTimeout(120_000);

const ROLES: ApiRole[] = ['admin', 'supervisor', 'erp', 'viewer'];
let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

/** A value of the input type good enough to reach the resolver (or its validation). */
function sample(type: GraphQLInputType): string {
  if (isNonNullType(type)) return sample(type.ofType);
  if (isListType(type)) return `[${sample(type.ofType)}]`;
  if (isEnumType(type)) return type.getValues()[0].name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type));
    return `{${fields.map((f) => `${f.name}: ${sample(f.type)}`).join(', ')}}`;
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int': case 'Float': return '1';
      case 'Boolean': return 'true';
      case 'JSON': return '{}';
      default: return '"walk-x"';
    }
  }
  throw new Error(`no sample for ${String(type)}`);
}

function operation(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): string {
  const args = field.args.filter((a) => isNonNullType(a.type));
  const argText = args.length ? `(${args.map((a) => `${a.name}: ${sample(a.type)}`).join(', ')})` : '';
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `${kind} { ${field.name}${argText}${selection} }`;
}

function rootFields(): { kind: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] {
  const schema = world.app.get(GraphQLSchemaHost).schema;
  const of = (kind: 'query' | 'mutation', type: GraphQLObjectType | null | undefined) =>
    Object.values(type?.getFields() ?? {}).map((field) => ({ kind, field }));
  return [...of('query', schema.getQueryType()), ...of('mutation', schema.getMutationType())];
}

const codeOf = (a: { errors?: { extensions?: { code?: string } }[] }): string | undefined => a.errors?.[0]?.extensions?.code;

test('every root field names who may call it', () => {
  const fields = rootFields();
  expect(fields.length).toBeGreaterThan(10);
  expect(fields.filter(({ field }) => !FIELD_ROLES.has(field.name)).map(({ field }) => field.name)).toEqual([]);
});

test('anonymous calls are refused, except logging in', async () => {
  const admitted: string[] = [];
  for (const { kind, field } of rootFields()) {
    const answer = await graphql(world.url, operation(kind, field));
    // The guard's own refusal (login refuses a wrong password with the same code, after the guard).
    const refusedByGuard = codeOf(answer) === 'UNAUTHENTICATED' && answer.errors![0].message.startsWith('send Authorization');
    if (!refusedByGuard) admitted.push(field.name);
  }
  expect(admitted).toEqual(['login']);
});

test('a role a field does not name is refused; the roles it names get past the guard', async () => {
  const wrong: string[] = [];
  for (const { kind, field } of rootFields()) {
    const access = FIELD_ROLES.get(field.name)!;
    if (access === 'public') continue;
    for (const role of ROLES) {
      const code = codeOf(await graphql(world.url, operation(kind, field), {}, world.keys[role]));
      const refused = code === 'FORBIDDEN' || code === 'UNAUTHENTICATED';
      if (refused === access.includes(role)) wrong.push(`${field.name} as ${role}: ${code ?? 'ok'}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('viewers change nothing: every mutation but logout is refused to them', () => {
  const viewerMutations = rootFields()
    .filter(({ kind, field }) => kind === 'mutation' && FIELD_ROLES.get(field.name) !== 'public')
    .filter(({ field }) => (FIELD_ROLES.get(field.name) as readonly ApiRole[]).includes('viewer'))
    .map(({ field }) => field.name);
  expect(viewerMutations).toEqual(['logout']);
});

test('a revoked key and a made-up token are refused', async () => {
  const made = await graphql(world.url, 'mutation { createApiKey(name: "short-lived", role: erp) { key } }', {}, world.keys.admin);
  const key = made.data!.createApiKey.key as string;
  expect(codeOf(await graphql(world.url, '{ me { name } }', {}, key))).toBeUndefined();
  await graphql(world.url, 'mutation { revokeApiKey(name: "short-lived") }', {}, world.keys.admin);
  expect(codeOf(await graphql(world.url, '{ me { name } }', {}, key))).toBe('UNAUTHENTICATED');
  expect(codeOf(await graphql(world.url, '{ me { name } }', {}, 'dk_madeup'))).toBe('UNAUTHENTICATED');
});

test('a person logs in with a password and gets a session; a wrong password is refused', async () => {
  await graphql(world.url, 'mutation { createUser(login: "anna", role: supervisor, password: "correct horse battery") }', {}, world.keys.admin);
  const wrong = await graphql(world.url, 'mutation { login(login: "anna", password: "wrong password!!") { token } }');
  expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
  const ok = await graphql(world.url, 'mutation { login(login: "anna", password: "correct horse battery") { token caller { role } } }');
  const token = ok.data!.login.token as string;
  expect((await graphql(world.url, '{ me { name role kind } }', {}, token)).data).toEqual({ me: { name: 'anna', role: 'supervisor', kind: 'user' } });
  await graphql(world.url, 'mutation { logout }', {}, token);
  expect(codeOf(await graphql(world.url, '{ me { name } }', {}, token))).toBe('UNAUTHENTICATED');
});

test('the audit log has a row for every mutation with who and from where, and no secrets', async () => {
  const { rows } = await world.db.pool.query<{ actor: string; action: string; source: string | null; details: object }>(
    `SELECT actor, action, source, details FROM audit_log WHERE action LIKE 'api.%' ORDER BY id`);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.every((r) => r.source !== null && r.actor !== '')).toBe(true);
  expect(rows.some((r) => r.actor === 'key:test-admin' && r.action === 'api.createApiKey')).toBe(true);
  const text = JSON.stringify(rows);
  expect(text).not.toContain('correct horse battery');
  expect(text).not.toMatch(/dk_[A-Za-z0-9_-]{20}/);
});

test('subscriptions: an anonymous connection is refused; a role a field does not name is refused, the roles it names get past the guard', async () => {
  const fields = Object.values(world.app.get(GraphQLSchemaHost).schema.getSubscriptionType()?.getFields() ?? {});
  expect(fields.length).toBeGreaterThan(0);
  /** The first answer: an event, the guard's code, or another error's (a sample argument refused past the guard). */
  const answer = async (w: Watched<unknown>): Promise<string> => {
    for (let i = 0; i < 500 && !w.failure && w.events.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const failure = w.failure as { extensions?: { code?: string } }[] | { code?: number } | undefined;
    await w.close();
    if (Array.isArray(failure)) return failure[0]?.extensions?.code ?? 'error';
    return failure ? `closed ${failure.code ?? ''}` : w.events.length ? 'ok' : 'silent';
  };
  const wrong: string[] = [];
  for (const field of fields) {
    const query = operation('subscription', field);
    const anonymous = await answer(subscribe(wsClient(world.url), query, {}));
    if (!anonymous.startsWith('closed')) wrong.push(`${field.name} anonymously: ${anonymous}`);
    const access = FIELD_ROLES.get(field.name)!;
    for (const role of ROLES) {
      const code = await answer(subscribe(wsClient(world.url, `Bearer ${world.keys[role]}`), query, {}));
      const refused = code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' || code.startsWith('closed');
      if (access === 'public' || refused === access.includes(role)) wrong.push(`${field.name} as ${role}: ${code}`);
    }
  }
  expect(wrong).toEqual([]);
});
