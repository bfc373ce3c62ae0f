import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadApiConfig } from './apiConfig';
import { createApiApp, printApiSchema } from './createApiApp';

// npm run api:schema            writes schema/api.graphql from the code
// npm run api:schema -- check   exit 1 when the committed file differs from the code
// npm runs scripts from the repository's root.
export const SCHEMA_FILE = path.resolve(process.cwd(), 'schema/api.graphql');

async function main(): Promise<number> {
  const app = await createApiApp(loadApiConfig({ ...process.env, LOG_LEVEL: 'silent' }));
  try {
    const sdl = printApiSchema(app);
    if (process.argv[2] === 'check') {
      const committed = readFileSync(SCHEMA_FILE, 'utf8');
      if (committed !== sdl) {
        process.stderr.write(`${SCHEMA_FILE} differs from the code: run npm run api:schema\n`);
        return 1;
      }
      process.stdout.write(`${SCHEMA_FILE} matches the code\n`);
      return 0;
    }
    writeFileSync(SCHEMA_FILE, sdl);
    process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
    return 0;
  } finally {
    await app.close();
  }
}

main().then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`api:schema: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
