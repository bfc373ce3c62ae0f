import { databaseEnv, readEnv } from '../../common/config';
import { ROW_TYPES_FILE, rowTypesCodegen } from '../../adapters/postgres/rowTypesCodegen';
import { runCli } from './runCli';

// npm run db:types            regenerate adapters/postgres/rowTypes.ts after a new migration
// npm run db:types -- verify  exit 1 when the committed file does not match the migrations
// (DATABASE_URL: any database on the server; a scratch database is made and dropped)

async function main(): Promise<number> {
  const mode = process.argv[2] === 'verify' ? 'verify' : 'write';
  const { DATABASE_URL } = readEnv(databaseEnv);
  const result = await rowTypesCodegen(DATABASE_URL, mode);
  if (!result.ok) {
    process.stderr.write(`${ROW_TYPES_FILE} does not match schema/migrations (run \`npm run db:types\`):\n${result.output}\n`);
    return 1;
  }
  process.stdout.write(mode === 'verify' ? `${ROW_TYPES_FILE} matches schema/migrations\n` : `wrote ${ROW_TYPES_FILE}\n`);
  return 0;
}

runCli('db:types', main);
