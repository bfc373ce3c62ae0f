import { normalizePhone } from './phoneNumbers';

describe('normalizePhone', () => {
  // [input, e164, country, note (undefined = no note; a string = the note contains it)]
  const accepted: [string, string, string | undefined, string | undefined][] = [
    // the sample file's three numbers
    ['17605632123', '+17605632123', 'US', 'not a Russian number: US'],
    ['7760569623', '+77760569623', 'KZ', '10 digits without a country code: read as +7 776 056 9623 (KZ)'],
    ['79508881234', '+79508881234', 'RU', undefined],
    // the usual Russian ways to write a number: no note
    ['+79123456789', '+79123456789', 'RU', undefined],
    ['+7 (912) 345-67-89', '+79123456789', 'RU', undefined],
    ['8 912 345-67-89', '+79123456789', 'RU', undefined],
    ['8(912)3456789', '+79123456789', 'RU', undefined],
    ['7 916 123 45 60', '+79161234560', 'RU', undefined],
    ['8 343 123-45-67', '+73431234567', 'RU', undefined],
    ['8 (800) 555-35-35', '+78005553535', 'RU', undefined],
    ['+7\u00a0912\u00a0345\u201167\u201189', '+79123456789', 'RU', undefined],
    ['  +7 495 123-45-67  ', '+74951234567', 'RU', undefined],
    // 84951234567 is also a valid Vietnamese number: the Russian trunk prefix wins
    ['84951234567', '+74951234567', 'RU', undefined],
    // 10 digits: read with the default country, and said so (4951234567 is also valid in Germany)
    ['9161234567', '+79161234567', 'RU', '10 digits without a country code: read as +7 916 123 45 67 (RU)'],
    ['4951234567', '+74951234567', 'RU', '10 digits without a country code'],
    // foreign numbers are pointed out however they are written
    ['+380501234567', '+380501234567', 'UA', 'not a Russian number: UA'],
    ['380501234567', '+380501234567', 'UA', 'not a Russian number: UA'],
    ['77011234567', '+77011234567', 'KZ', 'not a Russian number: KZ'],
    ['810380501234567', '+380501234567', 'UA', 'not a Russian number: UA'],
    ['0079161234567', '+79161234567', 'RU', "international prefix 00 read as '+'"],
    // "+8 912 ..." is a common slip for the trunk prefix
    ['+89123456789', '+79123456789', 'RU', 'read as +7 912 345 67 89 (RU)'],
  ];

  it.each(accepted)('reads %j as %s', (input, e164, country, note) => {
    const result = normalizePhone(input);
    expect(result).toMatchObject({ ok: true, e164, country });
    if (!result.ok) return;
    if (note === undefined) expect(result.note).toBeUndefined();
    else expect(result.note).toContain(note);
  });

  const rejected: [string, string][] = [
    ['12-34', 'too short'],
    ['912345678', 'too short'],
    ['1234567890', 'not a valid number in any country'],
    ['+99999999999', 'not a valid number in any country'],
    ['1234567890123456', 'too long'],
    ['7916abc4567', 'contains letters'],
    ['8 912 345 67 89 доб. 12', 'contains letters'],
    ['79161234567#', 'contains the character "#"'],
    ['+7 916 123+45 67', "'+' in the middle"],
    ['', 'empty'],
    ['   ', 'empty'],
  ];

  it.each(rejected)('rejects %j: %s', (input, reason) => {
    const result = normalizePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('tells the number\'s type only when asked', () => {
    expect(normalizePhone('79508881234')).not.toHaveProperty('type');
    expect(normalizePhone('79508881234', 'RU', { type: true })).toMatchObject({ ok: true, type: 'MOBILE' });
    expect(normalizePhone('+7 495 123-45-67', 'RU', { type: true })).toMatchObject({ ok: true, type: 'FIXED_LINE' });
    expect(normalizePhone('17605632123', 'RU', { type: true })).toMatchObject({ ok: true, type: 'FIXED_LINE_OR_MOBILE' });
    expect(normalizePhone('12-34', 'RU', { type: true })).toEqual({ ok: false, reason: 'too short: 4 digits' });
  });

  it('reads national numbers with another default country', () => {
    expect(normalizePhone('0301234567', 'DE')).toMatchObject({ ok: true, e164: '+49301234567', country: 'DE' });
    expect(normalizePhone('+79161234567', 'DE')).toMatchObject({ ok: true, note: 'not a DE number: RU' });
  });
});
