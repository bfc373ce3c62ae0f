import { parseAccountingCsv } from './lists/accountingCsv';
import { normalizePhone } from './lists/phoneNumbers';
import { Readable } from 'node:stream';
const rows = 20000;
function* lines(): Generator<string> {
  yield '"NAME","PHONE_NUMBER","USER_VARS"\n';
  for (let i = 0; i < rows; i++) {
    const number = `7916${String(i).padStart(7, '0')}`;
    const phones = i % 10 === 0 ? `${number};7926${String(i).padStart(7, '0')}` : number;
    yield `"Абонент Номер ${i}","${phones}","BALANCE=-${i}.${String(i % 100).padStart(2, '0')};CONTRACT=C-${i}"\n`;
  }
}
(async () => {
  let t = Date.now(); let n = 0;
  for await (const r of parseAccountingCsv(Readable.from(lines()))) n++;
  console.log('parse', n, Date.now() - t, 'ms');
  t = Date.now();
  for (let i = 0; i < rows; i++) normalizePhone(`7916${String(i).padStart(7, '0')}`);
  console.log('phones', Date.now() - t, 'ms');
})();
