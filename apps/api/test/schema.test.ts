import { readFileSync } from 'node:fs';
import path from 'node:path';
import { printApiSchema } from '../src/createApiApp';
import { startApiWorld, type ApiWorld } from './apiWorld';

// schema/api.graphql is what the ERP's developers read and generate clients from: it must be
// the schema the code serves (npm run api:schema rewrites it).

jest.setTimeout(60_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

test('schema/api.graphql is the schema the code serves', () => {
  const committed = readFileSync(path.resolve(__dirname, '../../../schema/api.graphql'), 'utf8');
  expect(printApiSchema(world.app)).toBe(committed);
});
