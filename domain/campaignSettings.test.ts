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
      startDate: null, endDate: null, calendarCountry: 'RU', purpose: 'service', legalPolicy: 'none', policyOptions: {}, caps: {},
      ignoredBlacklistGroups: [], blacklistAfterUnreachable: null, maxChannels: null, trunk: null,
      detectMachines: false, machineAction: 'retry', operatorKey: null, operatorWaitSeconds: 60, minListenSeconds: null,
      recordCalls: false, ringTimeoutSeconds: 30, maxAttemptsPerNumber: 3, retryIntervalSeconds: 3600, maxInFlight: 1000, templateId: null,
      strategy: { name: 'simple', version: 1, params: {} }, workflowType: 'contactWorkflow', personalDataRetentionDays: null,
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
      startDate: '2026-01-10', endDate: '2026-01-10', calendarCountry: 'KZ', purpose: 'debt_collection' as const, legalPolicy: 'ru_230fz' as const,
      policyOptions: { period: 'rolling' as const, countUnanswered: true, callKind: 'message' as const },
      caps: { person: { day: 1, week: null }, number: { month: 10 } }, ignoredBlacklistGroups: ['staff', 'vip'],
      callerIdPool: 'moscow-2026',
      blacklistAfterUnreachable: 4, maxChannels: 30, trunk: 'carrier-1', detectMachines: true, machineAction: 'leave_message' as const,
      operatorKey: '#', operatorWaitSeconds: 120, minListenSeconds: 5, ringTimeoutSeconds: 45, maxAttemptsPerNumber: 5,
      retryIntervalSeconds: 0, maxInFlight: 50, templateId: 7, recordCalls: true, personalDataRetentionDays: 365,
      strategy: { name: 'byOutcome', version: 1, params: { busy: { retries: 4, intervalSeconds: 300 }, intervalByKind: { mobile: 600 } } },
      workflowType: 'contactWorkflow',
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
    ['purpose', { purpose: 'lottery' }, 'purpose'],
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
    ['recordCalls', { recordCalls: 'yes' }, 'recordCalls'],
    ['personalDataRetentionDays', { personalDataRetentionDays: 0 }, 'personalDataRetentionDays'],
    ['personalDataRetentionDays', { personalDataRetentionDays: 36601 }, 'personalDataRetentionDays'],
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
    ['workflowType', { workflowType: 'noSuchWorkflow' }, 'workflowType'],
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

describe('hours and retries that can never meet', () => {
  const issues = (settings: Record<string, unknown>) => {
    try {
      parseNewCampaign({ ...minimal, ...settings });
      return [];
    } catch (err) {
      return (err as CampaignInputError).issues;
    }
  };
  /** Monday 2 March 2026 only, 09:00-20:00: 11 hours of calls. */
  const oneDay = { startDate: '2026-03-02', endDate: '2026-03-02' };
  const byOutcome = (params: Record<string, unknown>) => ({ strategy: { name: 'byOutcome', version: 1, params } });

  it('refuses hours closed on every day of the week', () => {
    const closed = Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, null]));
    expect(issues({ weeklyHours: closed })).toEqual([{ path: 'weeklyHours', message: 'closes every day of the week: no call could ever be placed' }]);
    expect(issues({ weeklyHours: { ...closed, 3: ['10:00', '11:00'] } })).toEqual([]);
  });

  it('refuses dates whose every day is closed', () => {
    const weekend = { startDate: '2026-03-07', endDate: '2026-03-08', weeklyHours: { 6: null, 7: null } };
    expect(issues(weekend)).toEqual([{ path: 'weeklyHours', message: 'closes every day from startDate to endDate (2026-03-07 to 2026-03-08): no call could ever be placed' }]);
    expect(issues({ ...weekend, endDate: '2026-03-09' })).toEqual([]);
  });

  it('refuses a strategy\'s retry that would come after the campaign\'s last hour, naming its parameter', () => {
    expect(issues({ ...oneDay, ...byOutcome({ no_answer: { intervalSeconds: 2 * 86_400 } }) })).toEqual([{
      path: 'strategy.params.no_answer.intervalSeconds',
      message: 'a retry 172800 s after a call can never fall inside the campaign\'s hours (2026-03-02 09:00 to 2026-03-02 20:00, local)',
    }]);
    // A number kind's interval stands in for every outcome's.
    expect(issues({ ...oneDay, ...byOutcome({ intervalByKind: { mobile: 86_400 } }) }).map((i) => i.path)).toEqual(['strategy.params.intervalByKind.mobile']);
    // An outcome that is never retried never waits.
    expect(issues({ ...oneDay, ...byOutcome({ no_answer: { retries: 0, intervalSeconds: 2 * 86_400 } }) })).toEqual([]);
    expect(issues({ ...oneDay, strategy: { name: 'bestHour', version: 1, params: { minIntervalSeconds: 86_400 } } }).map((i) => i.path))
      .toEqual(['strategy.params.minIntervalSeconds']);
  });

  it('refuses simple\'s retry interval the same way, unless a number is called only once', () => {
    expect(issues({ ...oneDay, retryIntervalSeconds: 86_400 }).map((i) => i.path)).toEqual(['retryIntervalSeconds']);
    expect(issues({ ...oneDay, retryIntervalSeconds: 86_400, maxAttemptsPerNumber: 1 })).toEqual([]);
  });

  it('allows an hour more than the hours span, for a clock change between them', () => {
    // 09:00 to 20:00 is 39 600 s; a clock put back in between makes it 43 200 s.
    expect(issues({ ...oneDay, retryIntervalSeconds: 43_199 })).toEqual([]);
    expect(issues({ ...oneDay, retryIntervalSeconds: 43_200 }).map((i) => i.path)).toEqual(['retryIntervalSeconds']);
  });

  it('reads the first and the last open day\'s own hours', () => {
    // Friday 6 to Monday 9 March, the weekend closed, Monday 10:00-12:00: Friday 09:00 to Monday 12:00.
    const fridayToMonday = { startDate: '2026-03-06', endDate: '2026-03-09', weeklyHours: { 1: ['10:00', '12:00'], 6: null, 7: null } };
    const span = 3 * 86_400 + 3 * 3600;
    expect(issues({ ...fridayToMonday, retryIntervalSeconds: span + 3599 })).toEqual([]);
    expect(issues({ ...fridayToMonday, retryIntervalSeconds: span + 3600 })).toEqual([{
      path: 'retryIntervalSeconds',
      message: `a retry ${span + 3600} s after a call can never fall inside the campaign's hours (2026-03-06 09:00 to 2026-03-09 12:00, local)`,
    }]);
  });

  it('lets any retry wait when the dates are open-ended', () => {
    expect(issues({ startDate: '2026-03-02', retryIntervalSeconds: 30 * 86_400 })).toEqual([]);
  });

  it('refuses a patch that shortens the dates under a retry', () => {
    const stored = parseCampaignSettings({ name: 'Reminder', callerId: '+74951234567', ...byOutcome({ busy: { intervalSeconds: 3 * 86_400 } }) });
    expect(refusal(() => applyCampaignPatch(stored, { startDate: '2026-03-02', endDate: '2026-03-04' })).issues.map((i) => i.path))
      .toEqual(['strategy.params.busy.intervalSeconds']);
    expect(applyCampaignPatch(stored, { startDate: '2026-03-02', endDate: '2026-03-05' }).changed).toEqual(['startDate', 'endDate']);
  });

  it('refuses a hand-over to a channel the dialer does not have, naming the parameter', () => {
    expect(issues(byOutcome({ busy: { then: 'handover_sms' } }))).toEqual([
      { path: 'strategy.params.busy.then', message: 'hand-over to sms is not available (no sms channel is configured)' },
    ]);
  });
});
