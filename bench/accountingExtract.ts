import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

// A generated accounting extract, as the PBX autoinformer's export would give it: every row a
// different debtor (a Russian full name, one number or two, a BALANCE and a contract), about 93
// bytes a row in UTF-8. The same `rows` give the same file.
//
//   npx tsx bench/accountingExtract.ts <rows> <file.csv>

const SURNAMES = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Васильев', 'Петров', 'Соколов', 'Михайлов', 'Новиков', 'Фёдоров', 'Морозов', 'Волков'];
const NAMES = ['Иван', 'Пётр', 'Алексей', 'Сергей', 'Андрей', 'Дмитрий', 'Михаил', 'Олег', 'Юрий', 'Николай', 'Артём'];
const PATRONYMICS = ['Иванович', 'Петрович', 'Сергеевич', 'Андреевич', 'Олегович', 'Юрьевич', 'Николаевич'];

/** The number of row `i`: distinct for every i below 10^8 (7919 is prime to 10^8), in Russian mobile ranges. */
function number(i: number, second = false): string {
  return `79${second ? 2 : 1}${String((i * 7919) % 100_000_000).padStart(8, '0')}`;
}

/** Data row `i` (0-based), without its line break. */
function extractRow(i: number): string {
  const name = `${SURNAMES[i % SURNAMES.length]} ${NAMES[Math.floor(i / 12) % NAMES.length]} ${PATRONYMICS[Math.floor(i / 132) % PATRONYMICS.length]} ${i}`;
  const phones = i % 5 === 0 ? `${number(i)};${number(i, true)}` : number(i);
  const balance = `-${(i * 37) % 250_000}.${String(i % 100).padStart(2, '0')}`;
  return `"${name}","${phones}","BALANCE=${balance};CONTRACT=К-${i}"`;
}

const EXTRACT_HEADER = '"NAME","PHONE_NUMBER","USER_VARS"';

/** The extract of `rows` data rows, in chunks of about 64 KiB of text. */
function* accountingExtract(rows: number): Generator<string> {
  let chunk = `${EXTRACT_HEADER}\r\n`;
  for (let i = 0; i < rows; i++) {
    chunk += `${extractRow(i)}\r\n`;
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** Writes the extract to `file`. */
export async function writeAccountingExtract(rows: number, file: string): Promise<void> {
  const out = createWriteStream(file);
  for (const chunk of accountingExtract(rows)) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

if (require.main === module) {
  const [rows, file] = process.argv.slice(2);
  if (!rows || !file || !/^\d+$/.test(rows)) {
    process.stderr.write('usage: npx tsx bench/accountingExtract.ts <rows> <file.csv>\n');
    process.exitCode = 64;
  } else {
    writeAccountingExtract(Number(rows), file).catch((err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    });
  }
}
