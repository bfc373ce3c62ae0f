import { InputError } from './inputError';
import { namesContacts, parsePersonalDataFilter } from './personalDataFilter';

// The deletion filter's own rules: a filter that matches every contact must say all: true, alone.

const issuesOf = (input: unknown): { path: string; message: string }[] => {
  try {
    parsePersonalDataFilter(input);
  } catch (err) {
    if (err instanceof InputError) return [...err.issues];
    throw err;
  }
  return [];
};

test('a filter with no criterion is refused, naming all', () => {
  for (const input of [undefined, null, {}, { all: false }, { all: null, campaignId: null }]) {
    expect(issuesOf(input)).toEqual([{ path: 'filter.all', message: expect.stringContaining('this filter matches every contact') }]);
  }
});

test('all: true is accepted alone, refused beside a criterion', () => {
  expect(parsePersonalDataFilter({ all: true })).toEqual({ all: true });
  expect(issuesOf({ all: true, states: ['done'] })).toEqual([{ path: 'filter.all', message: 'all: true takes every contact; it cannot be combined with states' }]);
});

test('bad criteria are named by their field', () => {
  expect(issuesOf({ contactIds: [] })[0].path).toBe('filter.contactIds');
  expect(issuesOf({ importedBefore: 'yesterday' })[0].path).toBe('filter.importedBefore');
  expect(issuesOf({ states: ['gone'] })[0].path).toBe('filter.states.0');
  expect(issuesOf({ campaignId: 'c', name: 'x' })[0].message).toMatch(/name/);
});

test('an ERP names contacts: ids, or external ids of a campaign', () => {
  expect(namesContacts(parsePersonalDataFilter({ contactIds: [1, 2] }))).toBe(true);
  expect(namesContacts(parsePersonalDataFilter({ campaignId: 'c', externalIds: ['a'] }))).toBe(true);
  expect(namesContacts(parsePersonalDataFilter({ externalIds: ['a'] }))).toBe(false);
  expect(namesContacts(parsePersonalDataFilter({ campaignId: 'c' }))).toBe(false);
});
