import { Pool } from 'pg';
import { API_ROLES, insertApiKey, listApiKeys, revokeApiKey, type ApiRole } from '../../adapters/postgres/apiAccess';
import { newSecret } from '../../common/apiSecrets';
import { databaseEnv, readEnv } from '../../common/config';
import { runCli } from './runCli';

// API keys from the command line: how the first admin key comes to exist (there is no default
// password anywhere), and how a lost key is revoked when nobody can log in.
//
//   npm run api:key -- create <name> <role>    prints the key once; roles: admin supervisor viewer erp
//   npm run api:key -- list
//   npm run api:key -- revoke <name>

const USAGE = 'usage: npm run api:key -- create <name> <admin|supervisor|viewer|erp> | list | revoke <name>';

async function main(): Promise<number> {
  const [command, name, role] = process.argv.slice(2);
  const { DATABASE_URL } = readEnv(databaseEnv);
  const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
  try {
    switch (command) {
      case 'create': {
        if (!name || !API_ROLES.includes(role as ApiRole)) { process.stderr.write(`${USAGE}\n`); return 64; }
        const key = newSecret('key');
        await insertApiKey(pool, { name, role: role as ApiRole, prefix: key.prefix, sha256: key.sha256, createdBy: `cli:${process.env.USER ?? 'unknown'}` });
        process.stderr.write(`API key '${name}' (${role}) created; it is shown only now:\n`);
        process.stdout.write(`${key.secret}\n`);
        return 0;
      }
      case 'list':
        for (const k of await listApiKeys(pool)) {
          process.stdout.write(`${k.name}\t${k.role}\t${k.prefix}…\t${k.revoked_at ? 'revoked' : 'live'}\tlast used ${k.last_used_at?.toISOString() ?? 'never'}\n`);
        }
        return 0;
      case 'revoke':
        if (!name) { process.stderr.write(`${USAGE}\n`); return 64; }
        if (!(await revokeApiKey(pool, name))) { process.stderr.write(`no live key named '${name}'\n`); return 1; }
        process.stdout.write(`revoked '${name}'\n`);
        return 0;
      default:
        process.stderr.write(`${USAGE}\n`);
        return 64;
    }
  } catch (err) {
    if ((err as { constraint?: string }).constraint === 'api_key_name_key') throw new Error(`a key named '${name}' exists`);
    if ((err as { constraint?: string }).constraint === 'api_key_name_check') throw new Error(`'${name}' is not a key name (letters, digits, dot, dash, underscore)`);
    throw err;
  } finally {
    await pool.end();
  }
}

runCli('api:key', main);
