import { AriClient } from '../../adapters/ari/ariClient';
import { RU_NUMBER_PROMPTS } from '../../domain/moneyRu';
import { runCli } from './runCli';

// Does the Asterisk at ASTERISK_ARI_URL have every Russian prompt an amount can name? Asked of
// Asterisk itself (its media index, GET /ari/sounds?lang=ru), so it holds for the project's own
// sandbox and for an Asterisk run elsewhere alike. `npm test` runs it before the slow suites, so
// a broken install fails in a second with the prompts named instead of a call with holes in it.
//
//   npm run check:prompts            exit 0, or exit 1 naming every missing prompt

async function main(): Promise<number> {
  const url = process.env.ASTERISK_ARI_URL;
  const username = process.env.ARI_USERNAME;
  const password = process.env.ARI_PASSWORD;
  if (!url || !username || !password) {
    throw new Error('set ASTERISK_ARI_URL, ARI_USERNAME and ARI_PASSWORD (scripts/asterisk.sh start prints them)');
  }
  const ari = AriClient.restOnly({ url, username, password, app: 'dialer-check', requestTimeoutMs: 10_000 });
  const have = new Set((await ari.sounds('ru')).map((s) => s.id));
  const missing = RU_NUMBER_PROMPTS.filter((p) => !have.has(p));
  if (missing.length > 0) {
    process.stderr.write(
      `check-prompts: Asterisk at ${url} lacks ${missing.length} of the ${RU_NUMBER_PROMPTS.length} Russian prompts ` +
        `amounts are spoken with: ${missing.join(', ')}\n` +
        '  (the project\'s own Asterisk: `bash scripts/asterisk.sh status` names a broken sound layout, ' +
        '`bash scripts/asterisk.sh start` repairs it; see asterisk/README.md for production)\n',
    );
    return 1;
  }
  process.stdout.write(`check-prompts: all ${RU_NUMBER_PROMPTS.length} Russian number and money prompts are there\n`);
  return 0;
}

runCli('check-prompts', main);
