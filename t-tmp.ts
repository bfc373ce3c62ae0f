import { importList } from './lists/importList';
import { createTestDatabase } from './test/testDatabase';
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
  const db = await createTestDatabase();
  await db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ('t1','T','+74950000000')`);
  for (let k = 0; k < 2; k++) {
    const t = Date.now();
    const r = await importList({ pool: db.pool, campaignId: 't1', fileName: 'x', input: Readable.from(lines()), createdBy: 't' });
    console.log(k, r.rowsImported, r.rowsUnchanged, Date.now() - t, 'ms');
  }
  await db.drop();
})();
