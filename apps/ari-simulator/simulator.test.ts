import { AriClient, AriHttpError } from '../../adapters/ari/ariClient';
import type { AriEvent } from '../../adapters/ari/ariTypes';
import { numberFromEndpoint, startAriSimulator, type AriSimulator, type SimulatorOptions } from './simulator';

// Drives the real simulator over HTTP and WebSocket with the project's AriClient.

const USER = 'dialer';
const PASS = 'sim-secret';
const APP = 'dialer';

let seq = 0;
const nextId = (): string => `test-${process.pid}-${++seq}`;
const endpoint = (digits: string): string => `PJSIP/+${digits}@carrier`;

async function setup(opts: Partial<SimulatorOptions> = {}): Promise<{ sim: AriSimulator; client: AriClient }> {
  const sim = await startAriSimulator({ username: USER, password: PASS, timeScale: 0.01, ...opts });
  const client = await AriClient.connect({ url: sim.url, username: USER, password: PASS, app: APP });
  return { sim, client };
}

/** Subscribes before the originate (events may beat the HTTP answer) and resolves on ChannelDestroyed. */
function record(client: AriClient, channelId: string, onEach?: (e: AriEvent) => void, timeoutMs = 5000): Promise<AriEvent[]> {
  return new Promise((resolve, reject) => {
    const events: AriEvent[] = [];
    const timer = setTimeout(() => { off(); reject(new Error(`no ChannelDestroyed for ${channelId}; got ${summary(events)}`)); }, timeoutMs);
    const off = client.onChannel(channelId, (e) => {
      events.push(e);
      onEach?.(e);
      if (e.type === 'ChannelDestroyed') { clearTimeout(timer); off(); resolve(events); }
    });
  });
}

/** Event types, with the state for ChannelStateChange and the cause where there is one. */
function summary(events: AriEvent[]): string[] {
  return events.map((e) => {
    switch (e.type) {
      case 'ChannelStateChange': return `ChannelStateChange:${e.channel.state}`;
      case 'ChannelHangupRequest': return `ChannelHangupRequest:${e.cause}${e.soft ? ':soft' : ''}`;
      case 'ChannelDestroyed': return `ChannelDestroyed:${e.cause}`;
      case 'ChannelDtmfReceived': return `ChannelDtmfReceived:${e.digit}`;
      case 'Dial': return `Dial:${String(e.dialstatus)}`;
      default: return e.type;
    }
  });
}

async function call(client: AriClient, digits: string, opts: { timeoutSec?: number; hangupOnStart?: boolean } = {}): Promise<AriEvent[]> {
  const channelId = nextId();
  const done = record(client, channelId, (e) => {
    if (opts.hangupOnStart && e.type === 'StasisStart') void client.hangup(channelId);
  });
  await client.originate({ endpoint: endpoint(digits), channelId, timeoutSec: opts.timeoutSec, appArgs: 'c1,a2' });
  return done;
}

describe('ARI simulator, default rules', () => {
  let sim: AriSimulator;
  let client: AriClient;
  beforeEach(async () => ({ sim, client } = await setup()));
  afterEach(async () => { await client.close(); await sim.close(); });

  const answeredThenAppHangup = [
    'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart',
    'ChannelHangupRequest:32:soft', 'StasisEnd', 'ChannelDestroyed:16',
  ];

  it.each(['79160000000', '79160000001', '79160000002', '79160000003'])('%s answers and listens until the app hangs up', async (n) => {
    expect(summary(await call(client, n, { hangupOnStart: true }))).toEqual(answeredThenAppHangup);
  });

  it('a number ending in 6 is always busy: ChannelDestroyed 17 only', async () => {
    for (let i = 0; i < 2; i++) {
      const events = await call(client, '79160000006');
      expect(summary(events)).toEqual(['ChannelDestroyed:17']);
      expect(events[0]).toMatchObject({ cause_txt: 'User busy' });
    }
  });

  it('a number ending in 5 is busy on the first call and answers on the second', async () => {
    expect(summary(await call(client, '79160000005'))).toEqual(['ChannelDestroyed:17']);
    expect(summary(await call(client, '79160000005', { hangupOnStart: true }))).toEqual(answeredThenAppHangup);
  });

  it('a number ending in 7 rings until the originate timeout, then cause 19', async () => {
    const events = await call(client, '79160000007', { timeoutSec: 5 });
    expect(summary(events)).toEqual(['ChannelStateChange:Ringing', 'ChannelDestroyed:19']);
    expect(events[1]).toMatchObject({ cause_txt: 'User alerting, no answer' });
  });

  it('a number ending in 8 answers and the subscriber hangs up after 1 s with cause 16', async () => {
    const events = await call(client, '79160000008');
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart',
      'ChannelHangupRequest:16', 'StasisEnd', 'ChannelDestroyed:16',
    ]);
    expect(events[5]).toMatchObject({ cause_txt: 'Normal Clearing' });
  });

  it('a number ending in 9 is unallocated: cause 1', async () => {
    const events = await call(client, '79160000009');
    expect(summary(events)).toEqual(['ChannelDestroyed:1']);
    expect(events[0]).toMatchObject({ cause_txt: 'Unallocated (unassigned) number' });
  });

  it('a number ending in 98 is congestion (over the last digit 8): cause 34', async () => {
    const events = await call(client, '79160000098');
    expect(summary(events)).toEqual(['ChannelDestroyed:34']);
    expect(events[0]).toMatchObject({ cause_txt: 'Circuit/channel congestion' });
  });

  it('a number ending in 97 behaves like answer and is counted as machine', async () => {
    expect(summary(await call(client, '79160000097', { hangupOnStart: true }))).toEqual(answeredThenAppHangup);
    expect(sim.stats().byBehaviour).toMatchObject({ machine: 1, answer: 0 });
  });

  it('a number ending in 96 rings 20 s before answering, or times out first', async () => {
    const started = Date.now();
    expect(summary(await call(client, '79160000096', { hangupOnStart: true }))).toEqual(answeredThenAppHangup);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190); // 20 s x 0.01
    expect(summary(await call(client, '79160000096', { timeoutSec: 10 }))).toEqual(['ChannelStateChange:Ringing', 'ChannelDestroyed:19']);
  });

  it('a number ending in 4 presses 1 about 1.5 s after the first playback starts', async () => {
    const channelId = nextId();
    const done = record(client, channelId, (e) => {
      // 16 digits = 6.4 s of audio, well past the DTMF at 1.5 s
      if (e.type === 'StasisStart') void client.play(channelId, ['number:1234567890123456'], `${channelId}-pb`);
      if (e.type === 'ChannelDtmfReceived') void client.hangup(channelId);
    });
    await client.originate({ endpoint: endpoint('79160000004'), channelId });
    const events = await done;
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart',
      'PlaybackStarted', 'ChannelDtmfReceived:1',
      // the app hangs up while the playback runs: Asterisk still finishes it before StasisEnd
      'ChannelHangupRequest:32:soft', 'PlaybackFinished', 'StasisEnd', 'ChannelDestroyed:16',
    ]);
    const dtmf = events[4];
    expect(dtmf).toMatchObject({ digit: '1', duration_ms: 100 });
    expect(events[6]).toMatchObject({ playback: { id: `${channelId}-pb`, state: 'done' } });
  });

  it('StasisStart carries the appArgs split on commas and the channel in Stasis', async () => {
    const channelId = nextId();
    const done = record(client, channelId, (e) => { if (e.type === 'StasisStart') void client.hangup(channelId); });
    await client.originate({ endpoint: endpoint('79160000001'), channelId, appArgs: 'campaign-1,contact-2', callerId: '"Bank" <74950000000>' });
    const start = (await done).find((e) => e.type === 'StasisStart');
    expect(start).toMatchObject({
      type: 'StasisStart', application: APP, args: ['campaign-1', 'contact-2'],
      channel: { id: channelId, state: 'Up', caller: { name: 'Bank', number: '74950000000' },
        dialplan: { app_name: 'Stasis', app_data: 'dialer,campaign-1,contact-2' } },
    });
    expect(start?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
  });
});

describe('ARI simulator, protocol details', () => {
  let sim: AriSimulator;
  let client: AriClient;
  beforeEach(async () => ({ sim, client } = await setup()));
  afterEach(async () => { await client.close(); await sim.close(); });

  const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}` };

  it('refuses requests without valid credentials with 401 and Asterisk\'s message', async () => {
    const bad = await fetch(`${sim.url}/ari/channels`, { headers: { authorization: `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}` } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ message: 'Authentication required' });
    const none = await fetch(`${sim.url}/ari/channels`);
    expect(none.status).toBe(401);
    const apiKey = await fetch(`${sim.url}/ari/channels?api_key=${USER}:${PASS}`);
    expect(apiKey.status).toBe(200);
  });

  it('answers originate errors with 400 and 409 and a message', async () => {
    const post = (qs: string): Promise<Response> => fetch(`${sim.url}/ari/channels?${qs}`, { method: 'POST', headers: auth });
    let r = await post('app=dialer');
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ message: 'Endpoint must be specified' });
    r = await post('endpoint=PJSIP/79160000001@carrier');
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ message: expect.stringMatching(/Application or extension must be specified/) });
    r = await post('endpoint=PJSIP/79160000001@carrier&app=other');
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ message: expect.stringMatching(/not registered/) });
    r = await post('endpoint=PJSIP/79160000007@carrier&app=dialer&channelId=dup-1');
    expect(r.status).toBe(200);
    r = await post('endpoint=PJSIP/79160000007@carrier&app=dialer&channelId=dup-1');
    expect(r.status).toBe(409);
    await client.hangup('dup-1');
  });

  it('returns the new channel Down, with an Asterisk-like name and id', async () => {
    const ch = await client.originate({ endpoint: 'PJSIP/+79160000007@carrier', callerId: '74950000000' });
    expect(ch).toMatchObject({ state: 'Down', caller: { number: '74950000000' }, protocol_id: '', language: 'en' });
    expect(ch.name).toMatch(/^PJSIP\/carrier-[0-9a-f]{8}$/);
    expect(ch.id).toMatch(/^\d+\.\d+$/);
    expect((await client.getChannel(ch.id))?.id).toBe(ch.id);
    const list = await (await fetch(`${sim.url}/ari/channels`, { headers: auth })).json() as { id: string }[];
    expect(list.map((c) => c.id)).toContain(ch.id);
    expect(await client.hangup(ch.id, 'normal')).toBe(true);
    expect(await client.getChannel(ch.id)).toBeNull();
  });

  it('hanging up a ringing channel: soft hangup request and ChannelDestroyed with the reason\'s cause, no Stasis events', async () => {
    const channelId = nextId();
    const done = record(client, channelId, (e) => {
      if (e.type === 'ChannelStateChange') void client.hangup(channelId, 'busy');
    });
    await client.originate({ endpoint: endpoint('79160000007'), channelId });
    expect(summary(await done)).toEqual(['ChannelStateChange:Ringing', 'ChannelHangupRequest:32:soft', 'ChannelDestroyed:17']);
  });

  it('refuses play and answer with 409 before the channel is in Stasis, 404 once gone', async () => {
    const ch = await client.originate({ endpoint: endpoint('79160000007') });
    await expect(client.play(ch.id, ['sound:hello'])).rejects.toMatchObject({ status: 409 });
    const answer = await fetch(`${sim.url}/ari/channels/${ch.id}/answer`, { method: 'POST', headers: auth });
    expect(answer.status).toBe(409);
    await client.hangup(ch.id);
    const err = await client.play(ch.id, ['sound:hello']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriHttpError);
    expect(err).toMatchObject({ status: 404, ariMessage: 'Channel not found' });
  });

  it('plays several media as one playback: Started per media, Continuing between, one Finished', async () => {
    const channelId = nextId();
    const seen: AriEvent[] = [];
    const done = record(client, channelId, (e) => {
      seen.push(e);
      if (e.type === 'StasisStart') void client.play(channelId, ['sound:hello', 'digits:12', 'number:345'], 'pb-multi');
      if (e.type === 'PlaybackFinished') void client.hangup(channelId);
    });
    await client.originate({ endpoint: endpoint('79160000001'), channelId });
    await done;
    const pbEvents = seen.filter((e) => e.type.startsWith('Playback'));
    expect(pbEvents.map((e) => [e.type, (e as { playback: { media_uri: string; state: string } }).playback.media_uri])).toEqual([
      ['PlaybackStarted', 'sound:hello'], ['PlaybackContinuing', 'sound:hello'],
      ['PlaybackStarted', 'digits:12'], ['PlaybackContinuing', 'digits:12'],
      ['PlaybackStarted', 'number:345'], ['PlaybackFinished', 'number:345'],
    ]);
    expect(pbEvents[0]).toMatchObject({ playback: { next_media_uri: 'digits:12', target_uri: `channel:${channelId}`, state: 'playing' } });
    expect(pbEvents[5]).toMatchObject({ playback: { state: 'done' } });
  });

  it('stops a playback with DELETE /playbacks/{id}: PlaybackFinished done, then 404', async () => {
    const channelId = nextId();
    const seen: string[] = [];
    const done = record(client, channelId, (e) => {
      seen.push(e.type);
      if (e.type === 'StasisStart') void client.play(channelId, ['recording:long'], 'pb-stop');
      if (e.type === 'PlaybackStarted') void client.stopPlayback('pb-stop').then((ok) => seen.push(`stopped:${ok}`));
      if (e.type === 'PlaybackFinished') {
        void client.stopPlayback('pb-stop').then((ok) => { seen.push(`stopped:${ok}`); return client.hangup(channelId); });
      }
    });
    await client.originate({ endpoint: endpoint('79160000001'), channelId });
    await done;
    expect(seen).toContain('stopped:true');
    expect(seen).toContain('stopped:false');
    expect(seen.indexOf('PlaybackFinished')).toBeLessThan(seen.indexOf('StasisEnd'));
  });

  it('a second play waits for the first (one control queue per channel)', async () => {
    const channelId = nextId();
    const order: string[] = [];
    let finished = 0;
    const done = record(client, channelId, (e) => {
      if (e.type === 'StasisStart') {
        void client.play(channelId, ['sound:a'], 'q1');
        void client.play(channelId, ['sound:b'], 'q2');
      }
      if (e.type === 'PlaybackStarted' || e.type === 'PlaybackFinished') order.push(`${e.type}:${e.playback.id}`);
      if (e.type === 'PlaybackFinished' && ++finished === 2) void client.hangup(channelId);
    });
    await client.originate({ endpoint: endpoint('79160000001'), channelId });
    await done;
    expect(order).toEqual(['PlaybackStarted:q1', 'PlaybackFinished:q1', 'PlaybackStarted:q2', 'PlaybackFinished:q2']);
  });

  it('exposes stats over /_sim/stats and resets them (and per-number memory) with /_sim/reset', async () => {
    await call(client, '79160000005');
    await call(client, '79160000009');
    const stats = await (await fetch(`${sim.url}/_sim/stats`)).json();
    expect(stats).toMatchObject({ originates: 2, activeChannels: 0, maxActiveChannels: 1, byBehaviour: { busy: 1, unallocated: 1 } });
    expect((await fetch(`${sim.url}/_sim/reset`, { method: 'POST' })).status).toBe(204);
    expect(sim.stats()).toMatchObject({ originates: 0, byBehaviour: { busy: 0 } });
    expect(summary(await call(client, '79160000005'))).toEqual(['ChannelDestroyed:17']);
  });

  it('tells the older WebSocket of an app that a newer one replaced it', async () => {
    const events: string[] = [];
    client.onEvent((e) => events.push(e.type));
    const second = await AriClient.connect({ url: sim.url, username: USER, password: PASS, app: APP, reconnect: false });
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual(['ApplicationReplaced']);
    await second.close();
  });

  it('GET /ari/asterisk/info reports version sim', async () => {
    expect(await client.asteriskInfo()).toMatchObject({ system: { version: 'sim' } });
  });
});

describe('ARI simulator, dialplan: continue, AMD, the operators\' queue, variables', () => {
  let sim: AriSimulator;
  let client: AriClient;
  afterEach(async () => { await client.close(); await sim.close(); });

  const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}` };
  const args = (e: AriEvent | undefined): unknown => (e?.type === 'StasisStart' ? e.args : undefined);
  const starts = (events: AriEvent[]): unknown[] => events.filter((e) => e.type === 'StasisStart').map(args);

  /** Originates `digits`; on the first StasisStart `onAnswer` runs, on later events `onEvent`. */
  async function dial(
    digits: string,
    onAnswer: (id: string) => void,
    onEvent: (e: AriEvent, id: string) => void = () => undefined,
  ): Promise<{ id: string; events: AriEvent[] }> {
    const id = nextId();
    let answered = false;
    const done = record(client, id, (e) => {
      if (e.type === 'StasisStart' && !answered) { answered = true; onAnswer(id); return; }
      onEvent(e, id);
    });
    await client.originate({ endpoint: endpoint(digits), channelId: id, variables: { DIALER_APP: APP } });
    return { id, events: await done };
  }

  const hangupOnReturn = (e: AriEvent, id: string): void => { if (e.type === 'StasisStart') void client.hangup(id); };

  it('AMD on a ..97 number: StasisEnd, and 2.5 s later StasisStart [amd, MACHINE, LONGGREETING-1500-1500]', async () => {
    ({ sim, client } = await setup());
    let sentAt = 0;
    let backAfter = 0;
    const { events } = await dial('79160000097', (id) => {
      sentAt = Date.now();
      void client.continueInDialplan(id, { context: 'dialer-amd', extension: 's' });
    }, (e, id) => { if (e.type === 'StasisStart') { backAfter = Date.now() - sentAt; void client.hangup(id); } });
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart', 'StasisEnd', 'StasisStart',
      'ChannelHangupRequest:32:soft', 'StasisEnd', 'ChannelDestroyed:16',
    ]);
    expect(starts(events)).toEqual([[], ['amd', 'MACHINE', 'LONGGREETING-1500-1500']]);
    expect(events[4]).toMatchObject({ channel: { dialplan: { context: 'dialer-amd', app_name: 'Stasis', app_data: 'dialer,amd,MACHINE,LONGGREETING-1500-1500' } } });
    expect(backAfter).toBeGreaterThanOrEqual(20); // 2.5 s x 0.01, with timer slack
    expect(sim.stats()).toMatchObject({ amdChecks: 1, operatorCalls: 0 });
  });

  it('AMD on a ..1 number says HUMAN', async () => {
    ({ sim, client } = await setup());
    const { events } = await dial('79160000001',
      (id) => void client.continueInDialplan(id, { context: 'dialer-amd', extension: 's' }), hangupOnReturn);
    expect(starts(events)).toEqual([[], ['amd', 'HUMAN', 'HUMAN-800-800']]);
  });

  it('a subscriber who hangs up during AMD: ChannelHangupRequest and ChannelDestroyed, no second StasisEnd', async () => {
    ({ sim, client } = await setup());
    const { events } = await dial('79160000008',
      (id) => void client.continueInDialplan(id, { context: 'dialer-amd', extension: 's' }), hangupOnReturn);
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart', 'StasisEnd',
      'ChannelHangupRequest:16', 'ChannelDestroyed:16',
    ]);
  });

  it('a continue waits for the playback under way, as in Asterisk\'s control queue', async () => {
    ({ sim, client } = await setup());
    let latePlay: Promise<unknown> = Promise.resolve();
    const { events } = await dial('79160000001', (id) => {
      latePlay = client.play(id, ['recording:x'], `${id}-pb`)
        .then(() => client.continueInDialplan(id, { context: 'dialer-amd', extension: 's' }))
        // a continue already waiting: the channel counts as out of Stasis
        .then(() => client.play(id, ['sound:late']))
        .then(() => 'played', (err: unknown) => err);
    }, hangupOnReturn);
    expect(await latePlay).toMatchObject({ status: 409 });
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart', 'PlaybackStarted', 'PlaybackFinished',
      'StasisEnd', 'StasisStart', 'ChannelHangupRequest:32:soft', 'StasisEnd', 'ChannelDestroyed:16',
    ]);
  });

  it('operators: a ..4 subscriber presses 1 and an operator answers (Dial ANSWER on the caller), then the app hangs up', async () => {
    ({ sim, client } = await setup());
    let dtmf = false;
    const { id, events } = await dial('79160000004', (chId) => void client.play(chId, ['recording:message'], `${chId}-msg`), (e, chId) => {
      if (e.type === 'ChannelDtmfReceived') dtmf = true;
      if (e.type === 'PlaybackFinished' && dtmf) {
        void client.setChannelVariable(chId, 'QUEUE_TIMEOUT', '30')
          .then(() => client.continueInDialplan(chId, { context: 'dialer-operators', extension: 's' }));
      }
      if (e.type === 'Dial') void client.hangup(chId);
    });
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart',
      'PlaybackStarted', 'ChannelDtmfReceived:1', 'PlaybackFinished', 'StasisEnd',
      // not in Stasis while talking to the operator: no StasisEnd on the hangup
      'Dial:ANSWER', 'ChannelHangupRequest:32:soft', 'ChannelDestroyed:16',
    ]);
    const dialEvent = events.find((e) => e.type === 'Dial');
    expect(dialEvent).toMatchObject({
      caller: { id, dialplan: { context: 'dialer-operators', app_name: 'Queue', app_data: 'operators,,,,30' } },
      peer: { state: 'Up' }, dialstatus: 'ANSWER', dialstring: '1@sim-operators',
    });
    expect((dialEvent as { peer: { id: string; name: string } }).peer.id).toMatch(/^\d+\.\d+$/);
    expect((dialEvent as { peer: { id: string; name: string } }).peer.name).toMatch(/^Local\/1@sim-operators-[0-9a-f]{8};1$/);
    expect(sim.stats()).toMatchObject({ operatorCalls: 1, activeChannels: 0 });
  });

  it('operators: 0 and QUEUE_TIMEOUT=1: StasisStart [queue, TIMEOUT] after 1 s, and play works again', async () => {
    ({ sim, client } = await setup({ operators: 0 }));
    let sentAt = 0;
    let backAfter = 0;
    const { events } = await dial('79160000001', (id) => {
      void client.setChannelVariable(id, 'QUEUE_TIMEOUT', '1').then(() => {
        sentAt = Date.now();
        return client.continueInDialplan(id, { context: 'dialer-operators', extension: 's' });
      });
    }, (e, id) => {
      if (e.type === 'StasisStart') { backAfter = Date.now() - sentAt; void client.play(id, ['sound:im-sorry'], `${id}-sorry`); }
      if (e.type === 'PlaybackFinished') void client.hangup(id);
    });
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart', 'StasisEnd', 'StasisStart',
      'PlaybackStarted', 'PlaybackFinished', 'ChannelHangupRequest:32:soft', 'StasisEnd', 'ChannelDestroyed:16',
    ]);
    expect(starts(events)).toEqual([[], ['queue', 'TIMEOUT']]);
    expect(backAfter).toBeGreaterThanOrEqual(8); // 1 s x 0.01, with timer slack
    expect(sim.stats()).toMatchObject({ operatorCalls: 0 });
  });

  it('operators all busy: the caller waits, and gets the operator freed when the other call ends', async () => {
    ({ sim, client } = await setup({ operators: 1 }));
    const toQueue = (id: string): Promise<boolean> => client.continueInDialplan(id, { context: 'dialer-operators', extension: 's' });
    const order: string[] = [];
    let firstTalking: (id: string) => void = () => undefined;
    const talking = new Promise<string>((resolve) => { firstTalking = resolve; });
    const firstCall = dial('79160000001', (id) => void toQueue(id), (e, id) => {
      order.push(`A:${e.type}`);
      if (e.type === 'Dial') firstTalking(id);
    });
    const secondCall = dial('79160000002', (id) => {
      // into the queue only once the only operator talks with the first call
      void talking.then(async (first) => {
        await toQueue(id);
        await new Promise((r) => setTimeout(r, 50)); // 5 s simulated; a free operator answers in 1 s
        order.push('B:waited');
        await client.hangup(first);
      });
    }, (e, id) => {
      order.push(`B:${e.type}`);
      if (e.type === 'Dial') void client.hangup(id);
    });
    const [first, second] = await Promise.all([firstCall, secondCall]);
    const talkThenHangup = ['StasisEnd', 'Dial:ANSWER', 'ChannelHangupRequest:32:soft', 'ChannelDestroyed:16'];
    expect(summary(first.events).slice(3)).toEqual(talkThenHangup);
    expect(summary(second.events).slice(3)).toEqual(talkThenHangup);
    expect(order.filter((o) => /Dial$|StasisEnd$|waited$|ChannelDestroyed$/.test(o))).toEqual([
      'A:StasisEnd', 'A:Dial', 'B:StasisEnd', 'B:waited', 'A:ChannelDestroyed', 'B:Dial', 'B:ChannelDestroyed',
    ]);
    expect(sim.stats().operatorCalls).toBe(2);
  });

  it('a continue anywhere else: the dialplan does nothing and hangs up (16)', async () => {
    ({ sim, client } = await setup());
    const { events } = await dial('79160000001', (id) => void client.continueInDialplan(id, { context: 'default', extension: 's' }));
    expect(summary(events)).toEqual([
      'ChannelStateChange:Ringing', 'ChannelStateChange:Up', 'StasisStart', 'StasisEnd',
      'ChannelHangupRequest:16', 'ChannelDestroyed:16',
    ]);
  });

  it('continue and variable on a gone channel: false (404); 409 before Stasis; 400 without a variable name', async () => {
    ({ sim, client } = await setup());
    const gone = nextId();
    const done = record(client, gone);
    await client.originate({ endpoint: endpoint('79160000009'), channelId: gone });
    await done;
    expect(await client.continueInDialplan(gone, { context: 'dialer-amd', extension: 's' })).toBe(false);
    expect(await client.setChannelVariable(gone, 'QUEUE_TIMEOUT', '5')).toBe(false);

    const ringing = await client.originate({ endpoint: endpoint('79160000007') });
    await expect(client.continueInDialplan(ringing.id, { context: 'dialer-amd', extension: 's' }))
      .rejects.toMatchObject({ status: 409, ariMessage: 'Channel not in Stasis application' });
    const noName = await fetch(`${sim.url}/ari/channels/${ringing.id}/variable?value=1`, { method: 'POST', headers: auth });
    expect(noName.status).toBe(400);
    expect(await noName.json()).toEqual({ message: 'Variable name is required' });
    await client.hangup(ringing.id);
  });

  it('remembers variables per channel: the originate\'s and those set later, read back with GET', async () => {
    ({ sim, client } = await setup());
    const get = (id: string, name: string): Promise<Response> =>
      fetch(`${sim.url}/ari/channels/${id}/variable?variable=${encodeURIComponent(name)}`, { headers: auth });
    let checked: Promise<void> = Promise.resolve();
    await dial('79160000001', (id) => {
      checked = (async () => {
        expect(await client.setChannelVariable(id, 'QUEUE_TIMEOUT', '42')).toBe(true);
        expect(await (await get(id, 'QUEUE_TIMEOUT')).json()).toEqual({ value: '42' });
        expect(await (await get(id, 'DIALER_APP')).json()).toEqual({ value: APP });
        expect((await get(id, 'NOPE')).status).toBe(404);
        expect(await client.setChannelVariable(id, 'CHANNEL(language)', 'ru')).toBe(true);
        expect((await client.getChannel(id))?.language).toBe('ru');
      })().finally(() => void client.hangup(id));
    });
    await checked;
  });
});

describe('ARI simulator, load and modes', () => {
  it('ends 200 concurrent originates at timeScale 0 in ChannelDestroyed', async () => {
    const { sim, client } = await setup({ timeScale: 0 });
    try {
      const digits = ['0', '1', '4', '5', '6', '7', '8', '9', '98', '97', '96'];
      const calls = Array.from({ length: 200 }, (_, i) => {
        const channelId = nextId();
        const done = record(client, channelId, (e) => { if (e.type === 'StasisStart') void client.hangup(channelId); }, 10_000);
        const number = `7916${String(i).padStart(5, '0')}${digits[i % digits.length]}`;
        return client.originate({ endpoint: endpoint(number), channelId }).then(() => done);
      });
      const results = await Promise.all(calls);
      expect(results.every((events) => events[events.length - 1]?.type === 'ChannelDestroyed')).toBe(true);
      expect(sim.stats()).toMatchObject({ originates: 200, activeChannels: 0 });
      expect(client.channelListenerCount()).toBe(0);
    } finally {
      await client.close();
      await sim.close();
    }
  }, 20_000);

  it('draws behaviours from the weights with a seeded PRNG: same seed, same calls', async () => {
    const run = async (seed: number): Promise<{ outcomes: string[]; byBehaviour: Record<string, number> }> => {
      const { sim, client } = await setup({ timeScale: 0, mode: 'probability', seed,
        probabilities: { answer: 2, busy: 1, unallocated: 1, congestion: 1, no_answer: 1 } });
      try {
        const outcomes: string[] = [];
        for (let i = 0; i < 40; i++) {
          outcomes.push(summary(await call(client, '79160000001', { hangupOnStart: true, timeoutSec: 1 })).join(' '));
        }
        return { outcomes, byBehaviour: sim.stats().byBehaviour };
      } finally {
        await client.close();
        await sim.close();
      }
    };
    const a = await run(7);
    const b = await run(7);
    const c = await run(8);
    expect(b).toEqual(a);
    expect(c.outcomes).not.toEqual(a.outcomes);
    expect(new Set(a.outcomes).size).toBeGreaterThanOrEqual(4);
    expect(a.byBehaviour).toMatchObject({ answer_press_1: 0, machine: 0 });
  }, 20_000);

  it('applies custom rules, the n-th call using the n-th behaviour', async () => {
    const { sim, client } = await setup({ rules: [{ match: '^7495', behaviours: ['congestion', 'busy', 'unallocated'] }] });
    try {
      const causes = [];
      for (let i = 0; i < 4; i++) causes.push(summary(await call(client, '74951234567')).join(' '));
      expect(causes).toEqual(['ChannelDestroyed:34', 'ChannelDestroyed:17', 'ChannelDestroyed:1', 'ChannelDestroyed:1']);
      // no rule matches: answer
      expect(summary(await call(client, '79160000009', { hangupOnStart: true }))).toContain('StasisStart');
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('takes the number from the endpoint: after the first /, before any @, without +', () => {
    expect(numberFromEndpoint('PJSIP/+79161234567@carrier')).toBe('79161234567');
    expect(numberFromEndpoint('PJSIP/79161234567')).toBe('79161234567');
    expect(numberFromEndpoint('Local/79161234567@ctx/n')).toBe('79161234567');
  });
});
