import { refusal as refusalOf } from './testing/refusal';
import {
  applyCampaignPatch, CAMPAIGN_SETTING_NAMES, CampaignInputError, parseCampaignSettings, parseNewCampaign,
  type CampaignSettings,
} from './campaignSettings';

const minimal = { id: 'c1', name: 'Reminder', callerId: '+74951234567' };

const refusal = (run: () => unknown): CampaignInputError => refusalOf(run, CampaignInputError);

describe('a new campaign', () => {
  it('fills every setting the user leaves out with its default', () => {
    expect(parseNewCampaign(minimal)).toEqual({
      id: 'c1', name: 'Reminder', callerId: '+74951234567', callerIdPool: null,
      timeZone: 'Europe/Moscow', windowStart: '09:00', windowEnd: '20:00', weeklyHours: {},
      startDate: null, endDate: null, calendarCountry: 'RU', legalPolicy: 'none', policyOptions: {}, caps: {},
      ignoredBlacklistGroups: [], blacklistAfterUnreachable: null, maxChannels: null, trunk: null,
      detectMachines: false, machineAction: 'retry', operatorKey: null, operatorWaitSeconds: 60, minListenSeconds: null,
      ringTimeoutSeconds: 30, maxAttemptsPerNumber: 3, retryIntervalSeconds: 3600, maxInFlight: 1000, templateId: null,
      strategy: { name: 'simple', version: 1, params: {} },
    });
  });

  it('keeps times as HH:MM, with seconds only when they are not zero', () => {
    const c = parseNewCampaign({
      ...minimal, windowStart: '08:30:00', windowEnd: '24:00:00', weeklyHours: { 6: ['10:00:00', '14:30:15'], 7: null },
    });
    expect([c.windowStart, c.windowEnd, c.weeklyHours]).toEqual(['08:30', '24:00', { 6: ['10:00', '14:30:15'], 7: null }]);
  });

  it('accepts every setting at once', () => {
    const all = {
      ...minimal, timeZone: 'Asia/Vladivostok', windowStart: '10:00', windowEnd: '19:00', weeklyHours: { 1: ['09:00', '12:00'] },
      startDate: '2026-01-10', endDate: '2026-01-10', calendarCountry: 'KZ', legalPolicy: 'ru_230fz' as const,
      policyOptions: { period: 'rolling' as const, countUnanswered: true, callKind: 'message' as const },
      caps: { person: { day: 1, week: null }, number: { month: 10 } }, ignoredBlacklistGroups: ['staff', 'vip'],
      callerIdPool: 'moscow-2026',
      blacklistAfterUnreachable: 4, maxChannels: 30, trunk: 'carrier-1', detectMachines: true, machineAction: 'leave_message' as const,
      operatorKey: '#', operatorWaitSeconds: 120, minListenSeconds: 5, ringTimeoutSeconds: 45, maxAttemptsPerNumber: 5,
      retryIntervalSeconds: 0, maxInFlight: 50, templateId: 7,
      strategy: { name: 'byOutcome', version: 1, params: { busy: { retries: 4, intervalSeconds: 300 }, intervalByKind: { mobile: 600 } } },
    };
    expect(parseNewCampaign(all)).toEqual({
      ...all,
      strategy: { ...all.strategy, params: expect.objectContaining({ busy: { retries: 4, intervalSeconds: 300, nextNumber: true }, maxAttemptsPerContact: 10 }) },
    });
  });
});

describe('a bad value is refused with the path of its field', () => {
  // One bad value (or more) for every setting; the test below checks none is forgotten.
  const bad: [string, Record<string, unknown>, string][] = [
    ['id', { id: 'Has Capitals' }, 'id'],
    ['name', { name: '   ' }, 'name'],
    ['callerId', { callerId: '84951234567' }, 'callerId'],
    ['timeZone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['windowStart', { windowStart: '25:00' }, 'windowStart'],
    ['windowEnd', { windowEnd: '9pm' }, 'windowEnd'],
    ['weeklyHours', { weeklyHours: { 8: ['09:00', '10:00'] } }, 'weeklyHours.8'],
    ['weeklyHours', { weeklyHours: { 1: ['12:00', '10:00'] } }, 'weeklyHours.1'],
    ['weeklyHours', { weeklyHours: { 2: ['09:00', '24:30'] } }, 'weeklyHours.2.1'],
    ['weeklyHours', { weeklyHours: { 3: ['09:00'] } }, 'weeklyHours.3'],
    ['startDate', { startDate: '2026-02-30' }, 'startDate'],
    ['endDate', { endDate: '1.1.2026' }, 'endDate'],
    ['calendarCountry', { calendarCountry: 'ru' }, 'calendarCountry'],
    ['legalPolicy', { legalPolicy: 'gdpr' }, 'legalPolicy'],
    ['policyOptions', { policyOptions: { period: 'weekly' } }, 'policyOptions.period'],
    ['policyOptions', { policyOptions: { countUnanswered: 'yes' } }, 'policyOptions.countUnanswered'],
    ['policyOptions', { policyOptions: { callKind: 'sms' } }, 'policyOptions.callKind'],
    ['policyOptions', { policyOptions: { periods: 'rolling' } }, 'policyOptions'],
    ['caps', { caps: { person: { day: -1 } } }, 'caps.person.day'],
    ['caps', { caps: { number: { week: 1.5 } } }, 'caps.number.week'],
    ['caps', { caps: { person: { year: 3 } } }, 'caps.person'],
    ['caps', { caps: { household: { day: 1 } } }, 'caps'],
    ['ignoredBlacklistGroups', { ignoredBlacklistGroups: ['staff', ''] }, 'ignoredBlacklistGroups.1'],
    ['ignoredBlacklistGroups', { ignoredBlacklistGroups: ['staff', 'staff'] }, 'ignoredBlacklistGroups'],
    ['blacklistAfterUnreachable', { blacklistAfterUnreachable: 0 }, 'blacklistAfterUnreachable'],
    ['maxChannels', { maxChannels: 0 }, 'maxChannels'],
    ['trunk', { trunk: 'no spaces' }, 'trunk'],
    ['callerIdPool', { callerIdPool: 'Main Pool' }, 'callerIdPool'],
    ['detectMachines', { detectMachines: 'yes' }, 'detectMachines'],
    ['machineAction', { machineAction: 'voicemail' }, 'machineAction'],
    ['operatorKey', { operatorKey: '12' }, 'operatorKey'],
    ['operatorWaitSeconds', { operatorWaitSeconds: 4 }, 'operatorWaitSeconds'],
    ['operatorWaitSeconds', { operatorWaitSeconds: 3601 }, 'operatorWaitSeconds'],
    ['minListenSeconds', { minListenSeconds: 0 }, 'minListenSeconds'],
    ['ringTimeoutSeconds', { ringTimeoutSeconds: 121 }, 'ringTimeoutSeconds'],
    ['maxAttemptsPerNumber', { maxAttemptsPerNumber: 0 }, 'maxAttemptsPerNumber'],
    ['maxAttemptsPerNumber', { maxAttemptsPerNumber: 51 }, 'maxAttemptsPerNumber'],
    ['retryIntervalSeconds', { retryIntervalSeconds: -1 }, 'retryIntervalSeconds'],
    ['retryIntervalSeconds', { retryIntervalSeconds: 2 ** 31 }, 'retryIntervalSeconds'],
    ['maxInFlight', { maxInFlight: 10001 }, 'maxInFlight'],
    ['templateId', { templateId: 0 }, 'templateId'],
    ['strategy', { strategy: { name: 'bestTime', version: 1 } }, 'strategy.name'],
    ['strategy', { strategy: { name: 'byOutcome', version: 9 } }, 'strategy.version'],
    ['strategy', { strategy: { name: 'byOutcome', version: 1, params: { busy: { retries: 21 } } } }, 'strategy.params.busy.retries'],
    ['strategy', { strategy: { name: 'byOutcome', version: 1, params: { maxAttemptsPerContact: 0 } } }, 'strategy.params.maxAttemptsPerContact'],
  ];

  it('has a case for every setting', () => {
    expect(new Set(bad.map(([field]) => field))).toEqual(new Set(['id', ...CAMPAIGN_SETTING_NAMES]));
  });

  it.each(bad)('%s: %j is refused at %s', (_field, value, path) => {
    const err = refusal(() => parseNewCampaign({ ...minimal, ...value }));
    expect(err.issues.map((i) => i.path)).toEqual([path]);
    expect(err.message.startsWith(`${path}: `)).toBe(true);
  });

  it('names every bad field at once', () => {
    const err = refusal(() => parseNewCampaign({ ...minimal, maxChannels: -1, caps: { person: { day: 'one' } } }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['caps.person.day', 'maxChannels']);
  });

  it('refuses a field it does not know', () => {
    const err = refusal(() => parseNewCampaign({ ...minimal, state: 'running' }));
    expect(err.message).toMatch(/state/);
  });

  it('refuses a window that ends before it starts, and an end date before the start date', () => {
    const err = refusal(() => parseNewCampaign({
      ...minimal, windowStart: '20:00', windowEnd: '09:00', startDate: '2026-03-02', endDate: '2026-03-01',
    }));
    expect(err.issues.map((i) => i.path)).toEqual(['windowEnd', 'endDate']);
  });
});

describe('a patch', () => {
  const stored: CampaignSettings = parseCampaignSettings({
    name: 'Reminder', callerId: '+74951234567', windowStart: '09:00', windowEnd: '20:00',
    startDate: '2026-03-01', endDate: '2026-03-31', maxChannels: 5, caps: { person: { day: 1, week: 2 } },
  });

  it('changes only the fields it gives, and names those whose value changed', () => {
    const { settings, changed } = applyCampaignPatch(stored, {
      windowStart: '10:00', maxChannels: 5, caps: { person: { week: 2, day: 1 } }, ringTimeoutSeconds: undefined,
    });
    expect(settings).toEqual({ ...stored, windowStart: '10:00' });
    expect(changed).toEqual(['windowStart']);
  });

  it('sets a nullable field to null, and applies no defaults to fields it leaves out', () => {
    const { settings, changed } = applyCampaignPatch(stored, { maxChannels: null });
    expect(settings).toEqual({ ...stored, maxChannels: null });
    expect(changed).toEqual(['maxChannels']);
  });

  it('is refused when it breaks a rule between fields against the stored values', () => {
    expect(refusal(() => applyCampaignPatch(stored, { windowStart: '21:00' })).issues)
      .toEqual([{ path: 'windowEnd', message: 'must be after windowStart (21:00)' }]);
    expect(refusal(() => applyCampaignPatch(stored, { startDate: '2026-04-01' })).issues.map((i) => i.path)).toEqual(['endDate']);
    expect(refusal(() => applyCampaignPatch(stored, { endDate: '2026-02-28' })).issues.map((i) => i.path)).toEqual(['endDate']);
  });

  it('may move both ends of a rule at once', () => {
    expect(applyCampaignPatch(stored, { windowStart: '21:00', windowEnd: '22:00' }).changed).toEqual(['windowStart', 'windowEnd']);
  });

  it('is refused with the path of a bad field, and for a field that is not a setting', () => {
    expect(refusal(() => applyCampaignPatch(stored, { caps: { number: { day: -2 } } })).issues.map((i) => i.path))
      .toEqual(['caps.number.day']);
    expect(refusal(() => applyCampaignPatch(stored, { id: 'other' } as never)).message).toMatch(/id/);
  });
});
