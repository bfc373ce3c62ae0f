import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// The calendar of non-working days through the API: listed by country and period, set and
// deleted a day at a time, imported many at once.

jest.setTimeout(60_000);

let world: ApiWorld;
beforeAll(async () => { world = await startApiWorld(); });
afterAll(async () => { await world?.close(); });

const DAY = 'country day weekday kind name';
const days = async (country: string, from: string, to: string) => (await graphql(world.url,
  `query($country: String!, $from: String!, $to: String!) { calendarDays(country: $country, from: $from, to: $to) { ${DAY} } }`,
  { country, from, to }, world.keys.viewer)).data!.calendarDays;
const importDays = (list: object[], key = world.keys.supervisor) =>
  graphql(world.url, `mutation($days: [CalendarDayInput!]!) { importCalendarDays(days: $days) }`, { days: list }, key);
const setDay = (input: object, key = world.keys.admin) =>
  graphql(world.url, `mutation($input: CalendarDayInput!) { setCalendarDay(input: $input) { ${DAY} } }`, { input }, key);
const issuesOf = (a: { errors?: { extensions?: { issues?: unknown } }[] }) => a.errors?.[0]?.extensions?.issues;

test('days are imported all together and listed by country and period', async () => {
  const answer = await importDays([
    { country: 'RU', day: '2026-01-01', kind: 'holiday', name: 'Новогодние каникулы' },
    { country: 'RU', day: '2026-01-07', kind: 'holiday', name: 'Рождество Христово' },
    { country: 'RU', day: '2026-02-28', kind: 'working' },
    { country: 'KZ', day: '2026-01-01', kind: 'holiday', name: 'Жаңа жыл' },
  ]);
  expect(answer.data).toEqual({ importCalendarDays: 4 });
  expect(await days('RU', '2026-01-01', '2026-02-28')).toEqual([
    { country: 'RU', day: '2026-01-01', weekday: 'Thu', kind: 'holiday', name: 'Новогодние каникулы' },
    { country: 'RU', day: '2026-01-07', weekday: 'Wed', kind: 'holiday', name: 'Рождество Христово' },
    { country: 'RU', day: '2026-02-28', weekday: 'Sat', kind: 'working', name: '' },
  ]);
  expect((await days('RU', '2026-01-02', '2026-01-07')).map((d: { day: string }) => d.day)).toEqual(['2026-01-07']);
  expect((await days('KZ', '2026-01-01', '2026-12-31'))).toHaveLength(1);
});

test('an import with a bad day or a day given twice writes nothing and names each by its index', async () => {
  const answer = await importDays([
    { country: 'RU', day: '2027-01-01', kind: 'holiday' },
    { country: 'RU', day: '2027-02-30', kind: 'holiday' },
    { country: 'ru', day: '2027-03-08', kind: 'holiday' },
  ]);
  expect(answer.errors![0].extensions).toMatchObject({
    code: 'BAD_USER_INPUT',
    issues: [
      { path: 'days.1.day', message: 'not a calendar date' },
      { path: 'days.2.country', message: 'a two-letter ISO country code such as RU' },
    ],
  });
  const twice = await importDays([
    { country: 'RU', day: '2027-01-01', kind: 'holiday' },
    { country: 'RU', day: '2027-01-01', kind: 'working' },
  ]);
  expect(issuesOf(twice)).toEqual([{ path: 'days.1.day', message: 'RU 2027-01-01 is already given at 0' }]);
  expect(await days('RU', '2027-01-01', '2027-12-31')).toEqual([]);
});

test('a day is set, replaced and deleted', async () => {
  const set = await setDay({ country: 'RU', day: '2026-11-04', kind: 'holiday', name: 'День народного единства' });
  expect(set.data!.setCalendarDay).toEqual({ country: 'RU', day: '2026-11-04', weekday: 'Wed', kind: 'holiday', name: 'День народного единства' });
  const replaced = await setDay({ country: 'RU', day: '2026-11-04', kind: 'working', name: 'перенос' }, world.keys.supervisor);
  expect(replaced.data!.setCalendarDay).toMatchObject({ kind: 'working', name: 'перенос' });
  expect(await days('RU', '2026-11-04', '2026-11-04')).toHaveLength(1);
  const del = `mutation($country: String!, $day: String!) { deleteCalendarDay(country: $country, day: $day) }`;
  expect((await graphql(world.url, del, { country: 'RU', day: '2026-11-04' }, world.keys.admin)).data).toEqual({ deleteCalendarDay: true });
  expect((await graphql(world.url, del, { country: 'RU', day: '2026-11-04' }, world.keys.admin)).data).toEqual({ deleteCalendarDay: false });
  expect(await days('RU', '2026-11-04', '2026-11-04')).toEqual([]);
  expect(issuesOf(await graphql(world.url, del, { country: 'RU', day: '4.11.2026' }, world.keys.admin)))
    .toEqual([{ path: 'day', message: 'a date YYYY-MM-DD' }]);
});

test('bad input names its field', async () => {
  expect(issuesOf(await setDay({ country: 'RU', day: '2026-13-01', kind: 'holiday' }))).toEqual([{ path: 'day', message: 'not a calendar date' }]);
  const backwards = await graphql(world.url, '{ calendarDays(country: "RU", from: "2026-02-01", to: "2026-01-01") { day } }', {}, world.keys.viewer);
  expect(issuesOf(backwards)).toEqual([{ path: 'to', message: 'must not be before from (2026-02-01)' }]);
});

test('the ERP and viewers read the calendar but do not change it', async () => {
  expect((await setDay({ country: 'RU', day: '2026-06-12', kind: 'holiday' }, world.keys.erp)).errors![0].extensions!.code).toBe('FORBIDDEN');
  expect((await importDays([{ country: 'RU', day: '2026-06-12', kind: 'holiday' }], world.keys.viewer)).errors![0].extensions!.code).toBe('FORBIDDEN');
  const read = await graphql(world.url, '{ calendarDays(country: "RU", from: "2026-01-01", to: "2026-01-01") { day } }', {}, world.keys.erp);
  expect(read.data!.calendarDays).toEqual([{ day: '2026-01-01' }]);
});
