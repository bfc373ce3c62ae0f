import { rowTypesCodegen } from '../adapters/postgres/rowTypesCodegen';

// The row types every query uses are generated from schema/migrations: a migration without a
// regenerated adapters/postgres/rowTypes.ts fails here, naming what differs.

jest.setTimeout(60_000);

test('adapters/postgres/rowTypes.ts matches the migrations (npm run db:types regenerates it)', async () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts Postgres');
  const result = await rowTypesCodegen(url, 'verify');
  expect(result.output).toBe(result.ok ? result.output : '');
  expect(result.ok).toBe(true);
});
