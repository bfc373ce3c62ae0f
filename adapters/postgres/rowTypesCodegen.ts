import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Pool } from 'pg';
import { migrate } from './migrations';

// The row types of every table come from the schema itself: a scratch database is migrated
// from schema/migrations and kysely-codegen reads its catalog into adapters/postgres/rowTypes.ts.
// kysely-codegen (over pgtyped) because it types whole tables, which the queries, the campaign
// settings and later the GraphQL types can all name, and it needs no annotation in the SQL;
// `verify` fails when the committed file no longer matches the migrations.

const repoRoot = path.resolve(__dirname, '../..');
export const ROW_TYPES_FILE = path.join(repoRoot, 'adapters/postgres/rowTypes.ts');

export interface CodegenResult {
  ok: boolean;
  /** kysely-codegen's own report (what differs, on a failed verify). */
  output: string;
}

/** Regenerates (`write`) or checks (`verify`) rowTypes.ts against a freshly migrated database. */
export async function rowTypesCodegen(serverUrl: string, mode: 'write' | 'verify'): Promise<CodegenResult> {
  const name = `dialer_codegen_${randomBytes(4).toString('hex')}`;
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    migrate(url.toString());
    const args = [
      '--url', url.toString(), '--dialect', 'postgres', '--exclude-pattern', 'pgmigrations',
      '--out-file', ROW_TYPES_FILE, '--log-level', 'error', ...(mode === 'verify' ? ['--verify'] : []),
    ];
    try {
      const output = execFileSync(path.join(repoRoot, 'node_modules/.bin/kysely-codegen'), args, {
        cwd: repoRoot, encoding: 'utf8', stdio: 'pipe',
      });
      return { ok: true, output };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message };
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}
