import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Pool } from 'pg';
import { CampaignInputError, createCampaign } from '../../adapters/postgres/campaigns';
import { argsAndDatabase, runCli, UsageError } from './runCli';

// A draft campaign from the command line, through the same schema and write as the API's
// createCampaign (domain/campaignSettings.ts, adapters/postgres/campaigns.ts):
//
//   npm run campaign:create -- <id> --name <name> --caller-id <+E164> [--template-id <n>] [--settings <json>|@<file.json>]
//
// --settings takes any of the campaign's settings by their API names ({"timeZone":
// "Asia/Yekaterinburg", "legalPolicy": "ru_230fz", "maxChannels": 10}); the flags win over it.
// Prints the campaign's id on stdout. Exit code: 0 created, 1 refused (every problem named by
// its field on stderr) or the database failed, 64 on usage.

const USAGE = 'usage: npm run campaign:create -- <id> --name <name> --caller-id <+E164> [--template-id <n>] [--settings <json>|@<file.json>]\n'
  + '       DATABASE_URL must be set';

interface Args {
  input: Record<string, unknown>;
}

function readSettings(value: string): Record<string, unknown> {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (err) {
      throw new UsageError(`--settings: cannot read ${value.slice(1)}: ${(err as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--settings: not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--settings: expected a JSON object of settings');
  return parsed as Record<string, unknown>;
}

function parseArgs(argv: string[]): Args {
  const flags: Record<string, unknown> = {};
  let settings: Record<string, unknown> = {};
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--name') flags.name = value();
    else if (flag === '--caller-id') flags.callerId = value();
    else if (flag === '--template-id') {
      const v = value();
      // A number when it reads as one: the schema says what else is wrong with it.
      flags.templateId = /^\d+$/.test(v) ? Number(v) : v;
    } else if (flag === '--settings') settings = readSettings(value());
    else if (flag === '--help' || flag === '-h') throw new UsageError('');
    else if (flag.startsWith('--')) throw new UsageError(`unknown option ${flag}`);
    else ids.push(arg);
  }
  if (ids.length !== 1) throw new UsageError(ids.length === 0 ? 'no campaign id given' : 'give exactly one campaign id');
  return { input: { ...settings, ...flags, id: ids[0] } };
}

async function main(): Promise<number> {
  const start = argsAndDatabase(() => parseArgs(process.argv.slice(2)), USAGE);
  if (typeof start === 'number') return start;
  const pool = new Pool({ connectionString: start.databaseUrl, max: 1 });
  try {
    const id = await createCampaign(pool, start.args.input as Parameters<typeof createCampaign>[1], `cli:${os.userInfo().username}`);
    process.stderr.write(`campaign ${id} created (draft); import its list with: npm run import:list -- --campaign ${id} <file>\n`);
    process.stdout.write(`${id}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof CampaignInputError)) throw err;
    process.stderr.write('campaign not created:\n');
    for (const issue of err.issues) process.stderr.write(`  ${issue.path || '(settings)'}: ${issue.message}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

runCli('campaign:create', main);
