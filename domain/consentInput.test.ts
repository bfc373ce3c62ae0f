import { consentSchema } from './consentInput';
import { policyUnderProfile } from './legalPolicy';

// Consent evidence as given, and the policy a campaign gets under its purpose's profile.

const issues = (input: unknown) => {
  const parsed = consentSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('a consent leaves with its number in E.164, its moments in UTC and its channel', () => {
  expect(consentSchema.parse({ number: '8 912 345-67-89', source: ' form 7 ', givenAt: '2026-11-01T10:00:00+03:00', expiresAt: '2027-11-01T00:00:00+03:00' }))
    .toEqual({
      e164: '+79123456789', source: 'form 7', givenAt: '2026-11-01T07:00:00.000Z', documentRef: null, channel: 'other',
      expiresAt: '2027-10-31T21:00:00.000Z', withdrawnAt: null,
    });
});

test('a consent without a source or a date, or with an expiry before it was given, is refused naming the field', () => {
  expect(issues({ number: '+79123456789' })).toEqual(['source: required: where the consent comes from', 'givenAt: required: when the consent was given']);
  expect(issues({ number: '+79123456789', source: '', givenAt: '2026-11-01T00:00:00Z' })).toEqual(['source: required: where the consent comes from']);
  expect(issues({ number: '+79123456789', source: 'x', givenAt: '2026-11-01' }))
    .toEqual(['givenAt: an ISO 8601 date and time with its offset, e.g. 2026-12-31T21:00:00Z']);
  expect(issues({ number: '12', source: 'x', givenAt: '2026-11-01T00:00:00Z', withdrawnAt: '2026-10-01T00:00:00Z' }))
    .toEqual([expect.stringMatching(/^number: not a phone number/), 'withdrawnAt: must not be before givenAt']);
});

test('the stricter of the campaign\'s policy and its profile\'s applies; the profile reads a robot call unless the campaign says', () => {
  const debt = { legalPolicy: 'ru_230fz', synthesizedPromptIsConversation: true };
  expect(policyUnderProfile('none', {}, debt)).toMatchObject({ name: 'ru_230fz', callKind: 'conversation', personCaps: { day: 1, week: 2, month: 8 } });
  expect(policyUnderProfile('ru_230fz', {}, { legalPolicy: 'none', synthesizedPromptIsConversation: true }).name).toBe('ru_230fz');
  expect(policyUnderProfile('none', {}, { ...debt, synthesizedPromptIsConversation: false })).toMatchObject({ callKind: 'message', personCaps: { day: 2 } });
  expect(policyUnderProfile('none', { callKind: 'conversation' }, { ...debt, synthesizedPromptIsConversation: false }).callKind).toBe('conversation');
});
