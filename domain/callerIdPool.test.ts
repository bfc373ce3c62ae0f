import { callerIdNumbersSchema, newCallerIdPoolSchema, pickCallerId, type PoolTurn } from './callerIdPool';

const numbers = [
  { e164: '+74950000001', regions: ['г. Москва и Московская область'] },
  { e164: '+74950000002', regions: ['г. Москва и Московская область'] },
  { e164: '+78120000001', regions: ['г. Санкт-Петербург'] },
];
const pool = (rotation: PoolTurn['rotation'], turn: number, ns = numbers): PoolTurn => ({ rotation, turn, numbers: ns });

describe('pickCallerId', () => {
  it('in turn: consecutive turns take every number once before any comes again', () => {
    const picked = [0, 1, 2, 3, 4, 5].map((turn) => pickCallerId(pool('in_turn', turn), 'г. Москва и Московская область'));
    expect(picked).toEqual(['+74950000001', '+74950000002', '+78120000001', '+74950000001', '+74950000002', '+78120000001']);
  });

  it('by region: only the numbers tagged with the subscriber\'s region, in turn; case and spaces do not matter', () => {
    expect([0, 1, 2].map((turn) => pickCallerId(pool('by_region', turn), 'г. Москва и Московская область')))
      .toEqual(['+74950000001', '+74950000002', '+74950000001']);
    expect(pickCallerId(pool('by_region', 7), ' Г. САНКТ-ПЕТЕРБУРГ ')).toBe('+78120000001');
  });

  it('by region falls back to the whole pool in turn when no number serves the region, or the region is unknown', () => {
    expect([0, 1, 2].map((turn) => pickCallerId(pool('by_region', turn), 'Самарская обл.'))).toEqual(numbers.map((n) => n.e164));
    expect(pickCallerId(pool('by_region', 2), null)).toBe('+78120000001');
  });

  it('an empty pool picks nothing', () => {
    expect(pickCallerId(pool('in_turn', 5, []), null)).toBeNull();
    expect(pickCallerId(pool('by_region', 5, []), 'г. Санкт-Петербург')).toBeNull();
  });
});

describe('caller-ID pool input', () => {
  it('a number not in E.164 is refused, naming the field', () => {
    const r = newCallerIdPoolSchema.safeParse({ name: 'main', numbers: [{ number: '+74950000001' }, { number: '8 495 000-00-02' }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['numbers.1.number', 'an E.164 number such as +74951234567']]);
  });

  it('a number given twice is refused at its second place', () => {
    const r = callerIdNumbersSchema.safeParse([{ number: '+74950000001' }, { number: '+74950000001' }]);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['1.number', 'already given at 0']]);
  });

  it('defaults: in turn, the operators queue, a stock apology; sound names only in the message', () => {
    expect(newCallerIdPoolSchema.parse({ name: 'main' })).toEqual({
      name: 'main', rotation: 'in_turn', inbound: 'queue', inboundMessage: 'im-sorry&pls-try-call-later', numbers: [],
    });
    const r = newCallerIdPoolSchema.safeParse({ name: 'main', inboundMessage: 'hello,world)' });
    expect(r.error!.issues[0].path).toEqual(['inboundMessage']);
  });
});
