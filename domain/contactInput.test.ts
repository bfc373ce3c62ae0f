import { InputError } from './inputError';
import { MAX_CONTACTS_PER_CALL, parseContactBatch } from './contactInput';

const contact = (over: Record<string, unknown> = {}) => ({
  externalId: 'A-1', phones: [{ number: '+7 912 345-67-89', kind: 'mobile' }], ...over,
});

function issuesOf(batch: unknown[]): { path: string; message: string }[] {
  try {
    parseContactBatch(batch);
  } catch (err) {
    if (err instanceof InputError) return [...err.issues];
    throw err;
  }
  throw new Error('the batch was accepted');
}

test('numbers leave in E.164 with what was written and how it was read; blanks become null', () => {
  const [c] = parseContactBatch([contact({
    fullName: '  Иванов   Иван ', personId: '', timeZone: 'Asia/Yekaterinburg',
    phones: [{ number: '8 912 345-67-89', kind: 'mobile' }, { number: '7760569623' }],
    variables: [{ key: 'BALANCE', value: '-12345,50' }],
  })]);
  expect(c).toEqual({
    externalId: 'A-1', personId: null, fullName: 'Иванов Иван', timeZone: 'Asia/Yekaterinburg', role: 'debtor', debtor: null, consents: [],
    phones: [
      { e164: '+79123456789', raw: '8 912 345-67-89', note: null, kind: 'mobile' },
      { e164: '+77760569623', raw: '7760569623', note: expect.stringContaining('without a country code'), kind: 'other' },
    ],
    variables: [{ key: 'BALANCE', value: '-12345,50' }],
  });
});

test('every problem is named by its path in the batch', () => {
  const issues = issuesOf([
    contact(),
    contact({ externalId: 'A-2', timeZone: 'Mars/Olympus' }),
    contact({ externalId: 'A-3' }),
    contact({ externalId: 'A-4', phones: [{ number: '+79123456789' }, { number: '12' }, { number: '8 912 345 67 89' }] }),
    contact({ externalId: 'A-5', variables: [{ key: 'BALANCE', value: 'a lot' }, { key: '1X', value: '' }, { key: 'BALANCE', value: '1' }] }),
    contact({ externalId: 'A-1' }),
    contact({ externalId: 'A-7', phones: [] }),
  ]);
  expect(issues).toEqual([
    { path: 'contacts.1.timeZone', message: expect.stringContaining('IANA') },
    { path: 'contacts.3.phones.1.number', message: 'too short: 2 digits' },
    { path: 'contacts.3.phones.2.number', message: 'the same number as phones.0' },
    { path: 'contacts.4.variables.1.key', message: expect.stringContaining('Latin letters') },
    { path: 'contacts.5.externalId', message: 'the same externalId as contacts.0' },
    { path: 'contacts.6.phones', message: 'at least one number' },
  ]);
});

test('numbers and variables given twice, and a BALANCE that is not an amount', () => {
  expect(issuesOf([
    contact({ phones: [{ number: '+79123456789' }, { number: '8 912 345 67 89' }], variables: [{ key: 'BALANCE', value: 'a lot' }, { key: 'BALANCE', value: '1' }] }),
  ])).toEqual([
    { path: 'contacts.0.phones.1.number', message: 'the same number as phones.0' },
    { path: 'contacts.0.variables.0.value', message: expect.stringContaining('BALANCE is not an amount') },
    { path: 'contacts.0.variables.1.key', message: 'given twice (also variables.0)' },
  ]);
});

test('a batch over the limit is refused by its size, naming the limit', () => {
  const batch = Array.from({ length: MAX_CONTACTS_PER_CALL + 1 }, (_, i) => contact({ externalId: `A-${i}` }));
  expect(issuesOf(batch)).toEqual([{ path: 'contacts', message: `at most ${MAX_CONTACTS_PER_CALL} contacts per call, got ${MAX_CONTACTS_PER_CALL + 1}` }]);
  expect(parseContactBatch(batch.slice(0, MAX_CONTACTS_PER_CALL))).toHaveLength(MAX_CONTACTS_PER_CALL);
});
