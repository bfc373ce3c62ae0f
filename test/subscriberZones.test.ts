import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { normalizePhone } from '../domain/phoneNumbers';
import { importNumberingPlan, type NumberingPlanImportReport } from '../imports/numberingPlan';
import { resolveSubscriberZones, resolveZonesForNumbers } from '../adapters/postgres/subscriberZones';
import { createTestDatabase, type TestDatabase } from './testDatabase';

// The subscriber's time zone against a real, freshly migrated Postgres: the registry extracts in
// examples/numbering are imported, then numbers are resolved.

jest.setTimeout(300_000);

const EXAMPLES = path.resolve(__dirname, '../examples/numbering');
const FILES = ['ABC-3xx.csv', 'ABC-4xx.csv', 'ABC-8xx.csv', 'DEF-9xx.csv'];
const SAKHA = ['Asia/Yakutsk', 'Asia/Khandyga', 'Asia/Vladivostok', 'Asia/Ust-Nera', 'Asia/Srednekolymsk'];
const CAMPAIGN_ZONE = 'Europe/Moscow';

let db: TestDatabase;
const reports = new Map<string, NumberingPlanImportReport>();

async function importFile(file: string, options?: { prune?: boolean }): Promise<NumberingPlanImportReport> {
  return importNumberingPlan(db.pool, createReadStream(path.join(EXAMPLES, file)), file, options);
}

function fromText(text: string): Readable {
  return Readable.from([Buffer.from(text, 'utf8')]);
}

async function tableSnapshot(): Promise<unknown[]> {
  const { rows } = await db.pool.query(
    `SELECT range_from, range_to, code, operator, region, zones, source_file FROM numbering_range ORDER BY range_from`);
  return rows;
}

/** A number of examples/accounting-demo.csv as the list importer stores it. */
function e164Of(raw: string): string {
  const n = normalizePhone(raw);
  if (!n.ok) throw new Error(`not a number: ${raw}`);
  return n.e164;
}

const resolve = (e164: string, explicitZone: string | null = null) =>
  resolveSubscriberZones(db.pool, { explicitZone, e164, campaignZone: CAMPAIGN_ZONE });

beforeAll(async () => {
  db = await createTestDatabase();
  for (const f of FILES) reports.set(f, await importFile(f));
});
afterAll(async () => {
  await db?.drop();
});

describe('importing the registry extracts', () => {
  it('imports every row of every file, in both headers and both encodings', async () => {
    const summary = Object.fromEntries(FILES.map((f) => {
      const r = reports.get(f)!;
      return [f, { rows: r.rows, imported: r.imported, errors: r.errorCount, encoding: r.header?.encoding }];
    }));
    expect(summary).toEqual({
      'ABC-3xx.csv': { rows: 17, imported: 17, errors: 0, encoding: 'windows-1251' },
      'ABC-4xx.csv': { rows: 12, imported: 12, errors: 0, encoding: 'utf-8' },
      'ABC-8xx.csv': { rows: 7, imported: 7, errors: 0, encoding: 'utf-8' },
      'DEF-9xx.csv': { rows: 20, imported: 20, errors: 0, encoding: 'utf-8' },
    });
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM numbering_range');
    expect(Number(rows[0]!.n)).toBe(56);
  });

  it('counts the regions no zone is known for, and stores their ranges with no zone', async () => {
    expect(reports.get('ABC-8xx.csv')!.unknownRegions).toEqual(new Map([['Российская Федерация', 1]]));
    for (const f of ['ABC-3xx.csv', 'ABC-4xx.csv', 'DEF-9xx.csv']) expect(reports.get(f)!.unknownRegions.size).toBe(0);
    const { rows } = await db.pool.query(`SELECT region, zones FROM numbering_range WHERE cardinality(zones) = 0`);
    expect(rows).toEqual([{ region: 'Российская Федерация', zones: [] }]);
  });

  it('stores "Территория ГАР" as the region when "Регион" is a dash', async () => {
    const { rows } = await db.pool.query(`SELECT region, zones FROM numbering_range WHERE range_from = 4962100000`);
    expect(rows).toEqual([{ region: 'г. Коломна|г.о. Коломна|Московская область', zones: ['Europe/Moscow'] }]);
  });

  it('changes nothing when the same files are imported again', async () => {
    const before = await tableSnapshot();
    for (const f of FILES) {
      const again = await importFile(f);
      expect({ f, rows: again.rows, imported: again.imported }).toEqual({ f, rows: reports.get(f)!.rows, imported: reports.get(f)!.imported });
    }
    expect(await tableSnapshot()).toEqual(before);
  });
});

describe('resolveSubscriberZones', () => {
  it("uses the contact's own zone first", async () => {
    expect(await resolve('+79161234560', 'Asia/Tokyo')).toEqual({ zones: ['Asia/Tokyo'], source: 'contact', detail: "the contact's zone Asia/Tokyo" });
    expect((await resolve('+79161234560', ' asia/tokyo ')).zones).toEqual(['Asia/Tokyo']);
  });

  it("ignores a contact's zone that is not an IANA zone, and says so", async () => {
    const r = await resolve('+79161234560', 'MSK+3');
    expect(r.zones).toEqual(['Europe/Moscow']);
    expect(r.source).toBe('numbering_plan');
    expect(r.detail).toContain('"MSK+3" is not an IANA zone: ignored');
  });

  it.each<[string, string, string[]]>([
    ['a Moscow mobile (916)', '+79161234560', ['Europe/Moscow']],
    ['a Moscow mobile (926)', '+79261234562', ['Europe/Moscow']],
    ['a Moscow mobile (903)', '+79031234561', ['Europe/Moscow']],
    ['a Sverdlovsk mobile (912)', '+79121234567', ['Asia/Yekaterinburg']],
    ['a Primorye mobile (914)', '+79141234597', ['Asia/Vladivostok']],
    ['a St Petersburg mobile (950)', '+79508881234', ['Europe/Moscow']],
    ['a Vladivostok landline (423)', '+74232123456', ['Asia/Vladivostok']],
    ['a Yakutsk landline (411)', '+74112212345', SAKHA],
    ['an Ust-Maysky landline (411, GAR district)', '+74114100123', SAKHA],
    ['a Yakutia mobile (914)', '+79142250000', SAKHA],
    ['a Yekaterinburg landline, Windows-1251 file (343)', '+73432123456', ['Asia/Yekaterinburg']],
    ['a Novosibirsk landline (383)', '+73832123456', ['Asia/Novosibirsk']],
    ['a Kaliningrad landline (401)', '+74012123456', ['Europe/Kaliningrad']],
    ['a Kamchatka landline (415)', '+74152112345', ['Asia/Kamchatka']],
    ['a Kamchatka mobile (924)', '+79247912345', ['Asia/Kamchatka']],
    ['a Samara landline (846)', '+78462123456', ['Europe/Samara']],
    ['a St Petersburg landline (812)', '+78122123456', ['Europe/Moscow']],
    ['a Sakhalin landline (424)', '+74242412345', ['Asia/Sakhalin', 'Asia/Srednekolymsk']],
    ['a Chukotka landline (427)', '+74272212345', ['Asia/Anadyr']],
    ['a Crimea landline (365)', '+73652123456', ['Europe/Simferopol']],
  ])('%s: the numbering plan', async (_what, e164, zones) => {
    const r = await resolve(e164);
    expect(r).toEqual({ zones, source: 'numbering_plan', detail: expect.stringMatching(/^numbering plan region "/) });
  });

  it('the first and the last number of a range are in it', async () => {
    expect((await resolve('+74232000000')).zones).toEqual(['Asia/Vladivostok']);
    expect((await resolve('+74232999999')).zones).toEqual(['Asia/Vladivostok']);
    expect((await resolve('+74233000000')).source).toBe('campaign');
  });

  it("gives a foreign number its country's zones", async () => {
    const us = await resolve(e164Of('17605632123'));
    expect(us.source).toBe('country');
    expect(us.detail).toBe('country US');
    expect(us.zones).toEqual(expect.arrayContaining(['America/Los_Angeles', 'America/New_York', 'America/Chicago', 'Pacific/Honolulu']));
    const kz = await resolve(e164Of('7760569623'));
    expect(kz).toEqual(expect.objectContaining({ source: 'country', detail: 'country KZ' }));
    expect(kz.zones).toContain('Asia/Almaty');
  });

  it("gives a number outside every range the campaign's zone", async () => {
    expect(await resolve('+79991234567')).toEqual({
      zones: [CAMPAIGN_ZONE], source: 'campaign', detail: `not in the numbering plan: the campaign's zone ${CAMPAIGN_ZONE}`,
    });
    expect(await resolve('+73012000000')).toEqual(expect.objectContaining({ source: 'campaign' })); // below the first 301 range
  });

  it("gives a number of a range with no known zone the campaign's zone, and says why", async () => {
    expect(await resolve('+78001234567')).toEqual({
      zones: [CAMPAIGN_ZONE], source: 'campaign',
      detail: `numbering plan region "Российская Федерация" has no known zone: the campaign's zone ${CAMPAIGN_ZONE}`,
    });
  });
});

describe('resolveZonesForNumbers', () => {
  const numbers = ['+79161234560', '+74232123456', '+17605632123', '+79991234567', '+74112212345', '+79161234560', '+78001234567'];

  it('resolves all of a contact\'s numbers as one by one, with one query', async () => {
    const client = await db.pool.connect();
    try {
      const spy = jest.spyOn(client, 'query');
      const many = await resolveZonesForNumbers(client, numbers, { explicitZone: null, campaignZone: CAMPAIGN_ZONE });
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();
      const one: unknown[] = [];
      for (const e164 of numbers) one.push(await resolveSubscriberZones(client, { explicitZone: null, e164, campaignZone: CAMPAIGN_ZONE }));
      expect(many).toEqual(one);
      expect(many.map((r) => r.source)).toEqual(['numbering_plan', 'numbering_plan', 'country', 'campaign', 'numbering_plan', 'numbering_plan', 'campaign']);
    } finally {
      client.release();
    }
  });

  it("applies the contact's zone to every number without a query", async () => {
    const client = await db.pool.connect();
    try {
      const spy = jest.spyOn(client, 'query');
      const r = await resolveZonesForNumbers(client, numbers, { explicitZone: 'Asia/Omsk', campaignZone: CAMPAIGN_ZONE });
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
      expect(r.map((z) => z.zones)).toEqual(numbers.map(() => ['Asia/Omsk']));
    } finally {
      client.release();
    }
  });

  it('makes no query for a contact without Russian numbers', async () => {
    const client = await db.pool.connect();
    try {
      const spy = jest.spyOn(client, 'query');
      expect(await resolveZonesForNumbers(client, [], { explicitZone: null, campaignZone: CAMPAIGN_ZONE })).toEqual([]);
      const [us] = await resolveZonesForNumbers(client, ['+17605632123'], { explicitZone: null, campaignZone: CAMPAIGN_ZONE });
      expect(us!.source).toBe('country');
      expect(spy).not.toHaveBeenCalled();
      spy.mockRestore();
    } finally {
      client.release();
    }
  });
});

describe('a newer registry file', () => {
  const OLD = 'АВС/ DEF;От;До;Емкость;Оператор;Регион';
  it('replaces the ranges it has, and with prune removes the ones it no longer has', async () => {
    // Code 958 is not in the extracts: this test's ranges are its own.
    await importNumberingPlan(db.pool, fromText(`${OLD}\n958;0000000;4999999;5000000;ПАО "МегаФон";Самарская обл.\n958;5000000;9999999;5000000;ПАО "МегаФон";Омская обл.\n`), 'DEF-9xx.2025.csv');
    expect((await resolve('+79586000000')).zones).toEqual(['Asia/Omsk']);

    // The next file merges the two ranges into one of another region.
    const merged = `${OLD}\n958;0000000;9999999;10000000;ПАО "МегаФон";Кировская обл.\n`;
    const replaced = await importNumberingPlan(db.pool, fromText(merged), 'DEF-9xx.2026.csv');
    expect(replaced.pruned).toBe(0);
    expect((await resolve('+79581000000')).zones).toEqual(['Europe/Kirov']);
    // Without prune the second old range is still there and still answers for its numbers.
    expect((await resolve('+79586000000')).zones).toEqual(['Asia/Omsk']);

    const pruned = await importNumberingPlan(db.pool, fromText(merged), 'DEF-9xx.2026.csv', { prune: true });
    expect(pruned.pruned).toBe(1);
    expect((await resolve('+79586000000')).zones).toEqual(['Europe/Kirov']);
    // Prune touches only the codes in the file.
    expect((await resolve('+79161234560')).zones).toEqual(['Europe/Moscow']);
  });

  it('keeps the later of two lines with the same start, and warns', async () => {
    const r = await importNumberingPlan(db.pool,
      fromText(`${OLD}\n957;0000000;0999999;1000000;ООО "Т2 Мобайл";Омская обл.\n957;0000000;0999999;1000000;ООО "Т2 Мобайл";Томская обл.\n`), 'dup.csv');
    expect(r.warnings).toEqual([{ line: 3, reason: 'the same range start as an earlier line: this line replaces it' }]);
    expect((await resolve('+79570000001')).zones).toEqual(['Asia/Tomsk']);
  });

  it('reports rejected lines with their numbers and imports the rest', async () => {
    const r = await importNumberingPlan(db.pool,
      fromText(`${OLD}\n956;0000000;0999999;1000000;ООО "Т2 Мобайл";Омская обл.\n956;2000000;1000000;1;ООО "Т2 Мобайл";Омская обл.\n`), 'bad.csv');
    expect({ rows: r.rows, imported: r.imported, errors: r.errors }).toEqual({
      rows: 2, imported: 1, errors: [{ line: 3, reason: 'До: 1000000 is less than От 2000000' }],
    });
  });
});

describe('a full-size file', () => {
  it('imports 200,000 generated rows as a stream', async () => {
    const ROWS = 200_000;
    const regions = ['г. Москва и Московская область', 'Свердловская обл.', 'г. Новосибирск|Новосибирская обл.', 'Республика Саха /Якутия/', 'Нигде'];
    // Codes 310-329 (not in the extracts: this test's ranges stay apart from the others), 10,000
    // ranges of 1,000 numbers each, generated line by line.
    async function* lines(): AsyncGenerator<Buffer> {
      yield Buffer.from('\ufeffАВС/ DEF;От;До;Емкость;Оператор;Регион;Территория ГАР;ИНН\n');
      let chunk = '';
      for (let i = 0; i < ROWS; i++) {
        const code = 310 + Math.floor(i / 10_000);
        const from = (i % 10_000) * 1000;
        const region = regions[i % regions.length]!;
        chunk += `${code};${String(from).padStart(7, '0')};${String(from + 999).padStart(7, '0')};1000;ПАО "Ростелеком";${region};${region};7707049388\n`;
        if (chunk.length > 60_000) {
          yield Buffer.from(chunk);
          chunk = '';
        }
      }
      yield Buffer.from(chunk);
    }
    const heapBefore = process.memoryUsage().heapUsed;
    const started = process.hrtime.bigint();
    const r = await importNumberingPlan(db.pool, Readable.from(lines()), 'generated.csv');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const heapGrowthMb = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
     
    console.log(`numbering plan import: ${ROWS} rows in ${seconds.toFixed(1)} s = ${Math.round(ROWS / seconds)} rows/s (heap +${heapGrowthMb.toFixed(0)} MB)`);

    expect({ rows: r.rows, imported: r.imported, errors: r.errorCount, warnings: r.warningCount }).toEqual({ rows: ROWS, imported: ROWS, errors: 0, warnings: 0 });
    expect(r.unknownRegions).toEqual(new Map([['Нигде', ROWS / regions.length]]));
    const { rows } = await db.pool.query<{ n: string; empty: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE cardinality(zones) = 0) AS empty FROM numbering_range WHERE code BETWEEN 310 AND 329`);
    expect(rows[0]).toEqual({ n: String(ROWS), empty: String(ROWS / regions.length) });
    const [z] = await resolveZonesForNumbers(db.pool, ['+73290001500'], { explicitZone: null, campaignZone: CAMPAIGN_ZONE });
    // Row 190,001: code 329, От 0001000, region regions[190001 % 5] = Свердловская.
    expect(z!.zones).toEqual(['Asia/Yekaterinburg']);
  });
});
