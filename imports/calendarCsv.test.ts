import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { encode } from 'iconv-lite';
import { readCalendarCsv } from './calendarCsv';

const read = (text: string | Buffer) => readCalendarCsv(Readable.from([Buffer.isBuffer(text) ? text : Buffer.from(text)]));

describe('readCalendarCsv', () => {
  it('reads the shipped Russian calendar without an error', async () => {
    const { days, errors } = await readCalendarCsv(createReadStream(path.resolve(__dirname, '../calendars/RU.csv')));
    expect(errors).toEqual([]);
    expect(days).toHaveLength(24);
    expect(days[0]).toEqual({ country: 'RU', day: '2026-01-01', kind: 'holiday', name: 'Новогодние каникулы' });
  });

  it('names every bad line with its physical number, past a name that spans two lines', async () => {
    const { days, errors } = await read([
      'country;day;kind;name',
      'KZ;2026-03-22;holiday;"Наурыз,',
      'день первый"',
      'KZ;2026-13-01;holiday;x',
      'KZ;2026-03-23;weekend;x',
      'kz;2026-03-24;holiday;x;extra',
      'KZ;2026-03-22;working;again',
      'KZ;"2026-03-25;holiday;x',
      'KZ;2026-03-26;holiday',
    ].join('\n'));
    expect(errors.map((e) => `${e.line}: ${e.reason}`)).toEqual([
      '4: day: not a date',
      expect.stringMatching(/^5: kind: /),
      '6: 5 fields, the header has 4',
      '7: KZ 2026-03-22 is already given on line 2',
      '8: unterminated quote: a quote opened on this line is not closed',
    ]);
    expect(days).toEqual([
      { country: 'KZ', day: '2026-03-22', kind: 'holiday', name: 'Наурыз,\nдень первый' },
      { country: 'KZ', day: '2026-03-26', kind: 'holiday', name: '' },
    ]);
  });

  it('takes "," and Windows-1251, and columns in any order', async () => {
    const { days, errors } = await read(encode('Name,Country,Day,Kind\r\nДень Победы,RU,2027-05-10,holiday\r\n', 'windows-1251'));
    expect(errors).toEqual([]);
    expect(days).toEqual([{ country: 'RU', day: '2027-05-10', kind: 'holiday', name: 'День Победы' }]);
  });

  it('refuses a header without the required columns, and an empty file', async () => {
    expect((await read('country;date;kind\nRU;2026-01-01;holiday\n')).errors).toEqual([
      { line: 1, reason: 'the header has no day (expected country;day;kind;name)' },
    ]);
    expect((await read('\n')).errors).toEqual([{ line: 1, reason: 'the file is empty: expected a header country;day;kind;name' }]);
  });
});

test('a day the calendar does not have (30 February) is refused on its line', async () => {
  const { days, errors } = await read('country;day;kind\nRU;2026-02-30;holiday\nRU;2026-03-09;holiday\n');
  expect(days.map((d) => d.day)).toEqual(['2026-03-09']);
  expect(errors).toEqual([expect.objectContaining({ line: 2, reason: expect.stringContaining('not a date') })]);
});
