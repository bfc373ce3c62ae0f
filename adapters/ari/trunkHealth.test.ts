import type { AriClient } from './ariClient';
import type { AriEvent } from './ariTypes';
import { TrunkDownError } from './telephony';
import { TrunkHealth, trunkOfEndpoint, type TrunkStateChange } from './trunkHealth';

// The timing rules of a trunk's health on a clock of the test's own: holds, the growing wait of
// an outage, refusals in a row. The real endpoint events and originates are tested through
// Asterisk and SIPp in test/trunk/carrierOutcomes.test.ts.

/** ARI as far as TrunkHealth uses it: an endpoint whose state the test sets, and its events. */
function ari(state: string) {
  const listeners: ((e: AriEvent) => void)[] = [];
  const endpoint = { state };
  const client = {
    subscribe: async () => undefined,
    getEndpoint: async (technology: string, resource: string) => ({ technology, resource, state: endpoint.state, channel_ids: [] }),
    onEvent: (l: (e: AriEvent) => void) => { listeners.push(l); return () => undefined; },
    onReconnect: () => () => undefined,
  } as unknown as AriClient;
  const emit = (next: string): void => {
    endpoint.state = next;
    for (const l of listeners) l({ type: 'EndpointStateChange', application: 'x', timestamp: '', endpoint: { technology: 'PJSIP', resource: 'carrier', state: next, channel_ids: [] } });
  };
  return { client, emit };
}

const T = 'PJSIP/{number}@carrier';

describe('trunkOfEndpoint', () => {
  it.each([
    ['PJSIP/{number}@carrier', 'carrier'], ['PJSIP/carrier-b/sip:{number}@10.0.0.1:5060', 'carrier-b'],
  ])('%s → PJSIP/%s', (template, resource) => expect(trunkOfEndpoint(template)).toEqual({ tech: 'PJSIP', resource }));
  it.each(['Local/{number}@sim-carrier/n', 'SIP/{number}'])('%s is no trunk', (template) => expect(trunkOfEndpoint(template)).toBeNull());
});

describe('TrunkHealth', () => {
  let now = 1_000_000;
  const clock = { now: () => now };
  beforeEach(() => { now = 1_000_000; });

  it('an offline trunk refuses calls; the wait grows with the outage, up to its cap; online lets calls go', async () => {
    const { client, emit } = ari('offline');
    const changes: TrunkStateChange[] = [];
    const h = new TrunkHealth(client, { ...clock, offlineRetryMs: 20_000, maxRetryMs: 120_000, onChange: (c) => changes.push(c) });
    const err = await h.ensureUp(T).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TrunkDownError);
    expect(err).toMatchObject({ trunk: 'PJSIP/carrier', reason: 'offline', retryAfterMs: 20_000 });
    now += 100_000;
    await expect(h.ensureUp(T)).rejects.toMatchObject({ retryAfterMs: 50_000 });
    now += 1_000_000;
    await expect(h.ensureUp(T)).rejects.toMatchObject({ retryAfterMs: 120_000 });
    emit('offline'); // the same state again: no news
    emit('online');
    await expect(h.ensureUp(T)).resolves.toBeUndefined();
    expect(changes.map((c) => `${c.up ? 'up' : `down ${c.reason}`}`)).toEqual(['down offline', 'up']);
  });

  it('one refusal is one call; three in a row hold the trunk down, until the hold passes and a call gets through', async () => {
    const { client } = ari('online');
    const h = new TrunkHealth(client, { ...clock, refusedHoldMs: 60_000 });
    await h.ensureUp(T);
    expect(h.refused(T, 403)).toMatchObject({ reason: 'refused', sipCode: 403 });
    await expect(h.ensureUp(T)).resolves.toBeUndefined();
    h.carried(T); // a call got through: the count starts again
    h.refused(T, 403);
    h.refused(T, 403);
    await expect(h.ensureUp(T)).resolves.toBeUndefined();
    h.refused(T, 403);
    await expect(h.ensureUp(T)).rejects.toMatchObject({ reason: 'refused', retryAfterMs: 60_000 });
    now += 60_000;
    await expect(h.ensureUp(T)).resolves.toBeUndefined(); // one may try again
    h.carried(T);
    expect(h.snapshot()).toEqual([{ trunk: 'PJSIP/carrier', up: true, reason: null }]);
  });

  it('an allocation failure holds the trunk down briefly, unless ARI says online first', async () => {
    const { client, emit } = ari('online');
    const h = new TrunkHealth(client, { ...clock, allocationHoldMs: 15_000 });
    await h.ensureUp(T);
    expect(h.allocationFailed(T)).toMatchObject({ reason: 'allocation_failed', retryAfterMs: 15_000 });
    await expect(h.ensureUp(T)).rejects.toMatchObject({ reason: 'allocation_failed' });
    emit('online');
    await expect(h.ensureUp(T)).resolves.toBeUndefined();
  });

  it('Local/ channels have no trunk: nothing is asked', async () => {
    const { client } = ari('offline');
    const h = new TrunkHealth(client, clock);
    await expect(h.ensureUp('Local/{number}@sim-carrier/n')).resolves.toBeUndefined();
  });
});
