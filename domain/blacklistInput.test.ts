import { refusal } from './testing/refusal';
import { blacklistCheckSchema, blacklistEntriesSchema, blacklistEntrySchema, blacklistFilterObject, entryIdentity } from './blacklistInput';
import { parseInput } from './parseInput';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('a blacklist entry', () => {
  it('reads an exact number as a contact list does, in E.164', () => {
    expect(parseInput(blacklistEntrySchema(NOW), { kind: 'exact', number: '8 (912) 345-67-89', reason: 'asked not to be called' })).toEqual({
      kind: 'exact', e164: '+79123456789', prefix: null, rangeFrom: null, rangeTo: null,
      group: 'default', reason: 'asked not to be called', source: null, expiresAt: null,
    });
  });

  it('takes a prefix and a range, with a group, a source and an expiry', () => {
    expect(parseInput(blacklistEntrySchema(NOW), { kind: 'prefix', prefix: '+7495', reason: 'r', group: 'staff', source: 'erp' }))
      .toMatchObject({ kind: 'prefix', prefix: '+7495', e164: null, group: 'staff', source: 'erp' });
    expect(parseInput(blacklistEntrySchema(NOW), {
      kind: 'range', rangeFrom: '+74951230000', rangeTo: '74951239999', reason: 'r', expiresAt: '2026-12-31T23:00:00+03:00',
    })).toMatchObject({ kind: 'range', rangeFrom: '74951230000', rangeTo: '74951239999', expiresAt: '2026-12-31T20:00:00.000Z' });
  });

  it('names the field of each problem', () => {
    const issues = (input: object) => refusal(() => parseInput(blacklistEntrySchema(NOW), { reason: 'r', ...input })).issues;
    expect(issues({ kind: 'exact', number: '12' })).toEqual([{ path: 'number', message: 'not a phone number: too short: 2 digits' }]);
    expect(issues({ kind: 'exact' })).toEqual([{ path: 'number', message: 'required for kind exact' }]);
    expect(issues({ kind: 'exact', number: '+79123456789', prefix: '+7' })).toEqual([{ path: 'prefix', message: 'only for kind prefix' }]);
    expect(issues({ kind: 'prefix', prefix: '7495' })[0].path).toBe('prefix');
    expect(issues({ kind: 'range', rangeFrom: '+74951230000', rangeTo: '+7495123999' }))
      .toEqual([{ path: 'rangeTo', message: 'has 10 digits, rangeFrom has 11' }]);
    expect(issues({ kind: 'range', rangeFrom: '+74951239999', rangeTo: '+74951230000' }))
      .toEqual([{ path: 'rangeTo', message: 'must not be before rangeFrom' }]);
    expect(issues({ kind: 'range', rangeFrom: 'x', rangeTo: '+74951230000' })[0].path).toBe('rangeFrom');
    expect(issues({ kind: 'exact', number: '+79123456789', expiresAt: '2026-03-01T11:00:00Z' }))
      .toEqual([{ path: 'expiresAt', message: 'must be in the future' }]);
    expect(issues({ kind: 'exact', number: '+79123456789', expiresAt: 'tomorrow' })[0].path).toBe('expiresAt');
    expect(issues({ kind: 'exact', number: '+79123456789', source: 'automatic' })[0].path).toBe('source');
    expect(refusal(() => parseInput(blacklistEntrySchema(NOW), { kind: 'exact', number: '+79123456789' })).issues[0].path).toBe('reason');
  });

  it('in a bulk call, is named by its index', () => {
    const err = refusal(() => parseInput(blacklistEntriesSchema(NOW), [
      { kind: 'exact', number: '+79123456789', reason: 'r' },
      { kind: 'prefix', prefix: '+7', reason: 'r' },
      { kind: 'range', rangeFrom: '+74951230000', rangeTo: '+7495123', reason: 'r' },
    ], 'entries'));
    expect(err.issues).toEqual([{ path: 'entries.2.rangeTo', message: 'has 7 digits, rangeFrom has 11' }]);
  });

  it('a bulk call has at least one and at most 10,000 entries', () => {
    expect(refusal(() => parseInput(blacklistEntriesSchema(NOW), [], 'entries')).issues[0].path).toBe('entries');
    const many = Array.from({ length: 10_001 }, () => ({ kind: 'prefix', prefix: '+7', reason: 'r' }));
    expect(refusal(() => parseInput(blacklistEntriesSchema(NOW), many, 'entries')).issues[0].message).toMatch(/at most 10000/);
  });

  it('is the same entry when every given field is the same', () => {
    const a = parseInput(blacklistEntrySchema(NOW), { kind: 'exact', number: '+79123456789', reason: 'r' });
    const b = parseInput(blacklistEntrySchema(NOW), { kind: 'exact', number: '89123456789', reason: 'r' });
    const c = parseInput(blacklistEntrySchema(NOW), { kind: 'exact', number: '89123456789', reason: 'r', group: 'g' });
    expect(entryIdentity(a, 'erp')).toBe(entryIdentity(b, 'erp'));
    expect(entryIdentity(a, 'erp')).not.toBe(entryIdentity(a, 'manual'));
    expect(entryIdentity(a, 'erp')).not.toBe(entryIdentity(c, 'erp'));
  });
});

describe('the blacklist queries', () => {
  it('read the number to check or filter by in E.164', () => {
    expect(parseInput(blacklistCheckSchema, { number: '8 912 345 67 89', campaignId: 'c1' })).toEqual({ number: '+79123456789', campaignId: 'c1' });
    expect(parseInput(blacklistFilterObject, { number: '+7 912 345 67 89', live: true })).toEqual({ number: '+79123456789', live: true });
    expect(refusal(() => parseInput(blacklistCheckSchema, { number: 'abc' })).issues)
      .toEqual([{ path: 'number', message: 'not a phone number: contains letters' }]);
    expect(refusal(() => parseInput(blacklistFilterObject, { source: 'robot' }, 'filter')).issues[0].path).toBe('filter.source');
  });
});
