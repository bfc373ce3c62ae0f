import { parseAccountingCsv, isRowError } from './lists/accountingCsv';
import fs from 'node:fs';
(async () => {
  const seen = new Map<string, number>(); const ends: Record<string, number> = {};
  let ok = 0, bad = 0;
  for await (const r of parseAccountingCsv(fs.createReadStream('examples/accounting-demo.csv'))) {
    if (isRowError(r)) { bad++; console.log('ERR', r.line, r.error.field, r.error.reason); continue; }
    ok++;
    for (const w of r.warnings) console.log('WARN', r.line, w.reason);
    r.phones.forEach((p, i) => { if (seen.has(p.e164)) console.log('DUP', p.e164, r.line, seen.get(p.e164)); seen.set(p.e164, r.line);
      const d = p.e164.slice(-2); const k = d === '98' || d === '97' || d === '96' ? d : d.slice(-1); ends[(i===0?'first:':'other:')+k] = (ends[(i===0?'first:':'other:')+k] ?? 0) + 1; });
  }
  console.log({ ok, bad }, ends);
})();
