import { execFileSync } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '../..');

/**
 * Brings the database at `databaseUrl` to the schema of `schema/migrations`. node-pg-migrate
 * is ESM-only and jest runs CommonJS, so its CLI runs in a child process: the same command
 * `npm run migrate` gives a user.
 */
export function migrate(databaseUrl: string): void {
  execFileSync(path.join(repoRoot, 'node_modules/.bin/node-pg-migrate'),
    ['up', '--migrations-dir', 'schema/migrations', '--check-order', '--verbose', 'false'],
    { cwd: repoRoot, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: 'pipe' });
}
