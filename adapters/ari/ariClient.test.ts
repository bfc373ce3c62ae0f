import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { startAriSimulator, type AriSimulator } from '../../apps/ari-simulator/simulator';
import { AriClient, AriHttpError, AriRequestError } from './ariClient';
import type { AriEvent } from './ariTypes';

// The client against the real simulator over HTTP and WebSocket (no mocks), plus two raw
// servers for the failure modes the simulator does not have: silence, and a refused port.

const USER = 'dialer';
const PASS = 'client-secret';
const APP = 'dialer';
const NUMBER = '79161234561';

let seq = 0;
const nextId = (): string => `client-test-${process.pid}-${++seq}`;

// Every wait below is for an event or a condition, with this deadline; the tests' own timeout
// is longer, so a wait that fails names what never came instead of jest's generic timeout.
const DEADLINE_MS = 5000;
jest.setTimeout(3 * DEADLINE_MS);

function waitForEvent(client: AriClient, channelId: string, type: AriEvent['type'], timeoutMs = DEADLINE_MS): Promise<AriEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { off(); reject(new Error(`no ${type} for ${channelId} within ${timeoutMs} ms`)); }, timeoutMs);
    const off = client.onChannel(channelId, (e) => {
      if (e.type === type) { clearTimeout(timer); off(); resolve(e); }
    });
  });
}

/** `p`, or a failure naming `what` if it has not settled within `ms`. */
async function within<T>(p: Promise<T>, what: string, ms = DEADLINE_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first value `probe` gives other than undefined, asked again every few ms; a failure
 * naming `what` if there is none within `ms`. */
async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = DEADLINE_MS): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a raw server, WebSocket and swallowed-upgrade sockets included (closeAllConnections
 * does not see upgraded sockets). */
async function closeServer(server: http.Server, wss?: WebSocketServer): Promise<void> {
  for (const c of wss?.clients ?? []) c.terminate();
  wss?.close();
  for (const s of upgraded.get(server) ?? []) s.destroy();
  await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
}
const upgraded = new WeakMap<http.Server, Duplex[]>();

describe('AriClient against the simulator', () => {
  let sim: AriSimulator;
  let client: AriClient;
  beforeEach(async () => {
    sim = await startAriSimulator({ username: USER, password: PASS, timeScale: 0.01 });
    client = await AriClient.connect({ url: sim.url, username: USER, password: PASS, app: APP });
  });
  afterEach(async () => {
    await client.close();
    await sim.close();
  });

  it('connect rejects with the HTTP status and Asterisk\'s message on a bad password', async () => {
    const err = await AriClient.connect({ url: sim.url, username: USER, password: 'wrong', app: APP }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/401/);
    expect((err as Error).message).toMatch(/Authentication required/);
    expect((err as Error).message).not.toMatch(/wrong/); // the api_key is not repeated
  });

  it('originate into an app with no connected WebSocket fails with a clear error that hides the number', async () => {
    // A second connection for the same app replaces the first, and closing it leaves the app
    // with no WebSocket at all, while `client` itself is still open.
    const second = await AriClient.connect({ url: sim.url, username: USER, password: PASS, app: APP, reconnect: false });
    await second.close();
    // second.close() resolves when the client's side of the socket closes, which may come
    // before the simulator's side has noticed. Until it has, the originate is accepted (into
    // the closing socket) and the number, unallocated, fails by itself; so ask until refused.
    const unallocated = `${NUMBER.slice(0, -1)}9`;
    const err = await eventually(
      () => client.originate({ endpoint: `PJSIP/+${unallocated}@carrier` }).then(() => undefined, (e: unknown) => e),
      'the simulator to refuse originates into the app whose only WebSocket closed',
    );
    expect(err).toBeInstanceOf(AriHttpError);
    const e = err as AriHttpError;
    expect(e.status).toBe(400);
    expect(e.message).toMatch(/^ARI POST \/ari\/channels failed: HTTP 400 \(Stasis application 'dialer' is not registered/);
    expect(e.message).not.toContain(unallocated);
  });

  it('getChannel returns the channel while it lives and null after ChannelDestroyed', async () => {
    const channelId = nextId();
    const destroyed = waitForEvent(client, channelId, 'ChannelDestroyed');
    const ch = await client.originate({ endpoint: `PJSIP/${NUMBER.slice(0, -1)}9@carrier`, channelId }); // 9: unallocated
    expect(ch.id).toBe(channelId);
    expect(await destroyed).toMatchObject({ cause: 1 });
    expect(await client.getChannel(channelId)).toBeNull();
  });

  it('hangup answers true, then false once the channel is gone', async () => {
    const channelId = nextId();
    const started = waitForEvent(client, channelId, 'StasisStart');
    await client.originate({ endpoint: `PJSIP/${NUMBER}@carrier`, channelId });
    await started;
    expect(await client.getChannel(channelId)).toMatchObject({ id: channelId, state: 'Up' });
    const destroyed = waitForEvent(client, channelId, 'ChannelDestroyed');
    expect(await client.hangup(channelId)).toBe(true);
    expect(await destroyed).toMatchObject({ cause: 16, cause_txt: 'Normal Clearing' });
    expect(await client.hangup(channelId)).toBe(false);
  });

  it('hangup passes the reason, which becomes the ChannelDestroyed cause', async () => {
    const channelId = nextId();
    const started = waitForEvent(client, channelId, 'StasisStart');
    await client.originate({ endpoint: `PJSIP/${NUMBER}@carrier`, channelId });
    await started;
    const destroyed = waitForEvent(client, channelId, 'ChannelDestroyed');
    await client.hangup(channelId, 'answered_elsewhere');
    expect(await destroyed).toMatchObject({ cause: 26 });
  });

  it('play on an answered channel gives PlaybackStarted then PlaybackFinished for that playback', async () => {
    const channelId = nextId();
    const started = waitForEvent(client, channelId, 'StasisStart');
    await client.originate({ endpoint: `PJSIP/${NUMBER}@carrier`, channelId });
    await started;
    const types: string[] = [];
    const off = client.onChannel(channelId, (e) => types.push(e.type));
    const finished = waitForEvent(client, channelId, 'PlaybackFinished');
    const pb = await client.play(channelId, ['sound:hello-world'], 'pb-1');
    expect(pb).toMatchObject({ id: 'pb-1', state: 'queued', media_uri: 'sound:hello-world', target_uri: `channel:${channelId}` });
    expect(await finished).toMatchObject({ playback: { id: 'pb-1', state: 'done' } });
    expect(types).toEqual(['PlaybackStarted', 'PlaybackFinished']);
    expect(await client.stopPlayback('pb-1')).toBe(false);
    off();
    await client.hangup(channelId);
  });

  it('delivers DTMF 1 from a number ending in 4 after the playback starts', async () => {
    const channelId = nextId();
    const started = waitForEvent(client, channelId, 'StasisStart');
    await client.originate({ endpoint: 'PJSIP/+79161234564@carrier', channelId });
    await started;
    const dtmf = waitForEvent(client, channelId, 'ChannelDtmfReceived');
    await client.play(channelId, ['sound:press-1', 'sound:to-confirm']);
    expect(await dtmf).toMatchObject({ digit: '1', channel: { id: channelId } });
    await client.hangup(channelId);
  });

  it('onChannel unsubscribe removes the listener completely', async () => {
    const offs = Array.from({ length: 50 }, (_, i) => client.onChannel(`ch-${i % 10}`, () => undefined));
    expect(client.channelListenerCount()).toBe(50);
    for (const off of offs) { off(); off(); } // a second call is harmless
    expect(client.channelListenerCount()).toBe(0);

    // and after real calls whose listeners go away on ChannelDestroyed
    await Promise.all(['0', '6', '9', '98'].map(async (last) => {
      const channelId = nextId();
      const destroyed = waitForEvent(client, channelId, 'ChannelDestroyed');
      const startedOff = client.onChannel(channelId, (e) => { if (e.type === 'StasisStart') void client.hangup(channelId); });
      await client.originate({ endpoint: `PJSIP/7916123456${last}@carrier`, channelId });
      await destroyed;
      startedOff();
    }));
    expect(client.channelListenerCount()).toBe(0);
  });

  it('onEvent sees every event and a throwing listener does not stop the others', async () => {
    const errors: Error[] = [];
    const c2 = await AriClient.connect({ url: sim.url, username: USER, password: PASS, app: 'app2', onError: (e) => errors.push(e) });
    try {
      const all: string[] = [];
      c2.onEvent(() => { throw new Error('listener bug'); });
      c2.onEvent((e) => all.push(e.type));
      const channelId = nextId();
      const destroyed = waitForEvent(c2, channelId, 'ChannelDestroyed');
      await c2.originate({ endpoint: 'PJSIP/79161234566@carrier', channelId }); // 6: busy
      await destroyed;
      expect(all).toEqual(['ChannelDestroyed']);
      expect(errors.map((e) => e.message)).toEqual(['listener bug']);
    } finally {
      await c2.close();
    }
  });

  it('asteriskInfo returns the info document', async () => {
    expect(await client.asteriskInfo()).toMatchObject({ system: { version: 'sim' } });
  });
});

describe('AriClient reconnect', () => {
  it('reopens the WebSocket with backoff when it drops and emits nothing twice', async () => {
    let sim = await startAriSimulator({ username: USER, password: PASS, timeScale: 0.01 });
    const port = Number(new URL(sim.url).port);
    let retryRefused: () => void = () => undefined;
    const firstRetryRefused = new Promise<void>((r) => { retryRefused = r; });
    const client = await AriClient.connect({
      url: sim.url, username: USER, password: PASS, app: APP,
      onError: (e) => { if (/ECONNREFUSED/.test(e.message)) retryRefused(); },
    });
    try {
      const reconnected = new Promise<void>((r) => client.onReconnect(r));
      await sim.close(); // drops the WebSocket; the first retries find the port closed
      await within(firstRetryRefused, 'a reconnect attempt refused by the closed port');
      expect(client.isConnected()).toBe(false);
      sim = await startAriSimulator({ username: USER, password: PASS, timeScale: 0.01, port });
      await within(reconnected, 'the reconnect to the restarted simulator');
      expect(client.isConnected()).toBe(true);

      const channelId = nextId();
      const seen: string[] = [];
      const allSeen: string[] = [];
      client.onEvent((e) => { if ('channel' in e && e.channel?.id === channelId) allSeen.push(e.type); });
      const destroyed = waitForEvent(client, channelId, 'ChannelDestroyed');
      const off = client.onChannel(channelId, (e) => {
        seen.push(e.type);
        if (e.type === 'StasisStart') void client.hangup(channelId);
      });
      await client.originate({ endpoint: 'PJSIP/79161234560@carrier', channelId });
      await destroyed;
      // A repeat would come after the original on the same WebSocket, and the simulator sends
      // an app's events on one socket in order: once a later call's last event is here, any
      // repeat of this call's events would be here too. No fixed wait needed.
      const markerId = nextId();
      const markerDestroyed = waitForEvent(client, markerId, 'ChannelDestroyed');
      await client.originate({ endpoint: 'PJSIP/79161234569@carrier', channelId: markerId }); // 9: unallocated
      await markerDestroyed;
      off();
      const expected = ['ChannelStateChange', 'ChannelStateChange', 'StasisStart', 'ChannelHangupRequest', 'StasisEnd', 'ChannelDestroyed'];
      expect(seen).toEqual(expected);
      expect(allSeen).toEqual(expected);
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it('does not reconnect after close()', async () => {
    const sim = await startAriSimulator({ username: USER, password: PASS });
    const client = await AriClient.connect({ url: sim.url, username: USER, password: PASS, app: APP });
    let reconnects = 0;
    client.onReconnect(() => reconnects++);
    await client.close();
    // Something that must not happen can only be watched for a while: a dropped socket is
    // retried at most BACKOFF_MIN_MS (250, ariClient.ts) later, and a retry to the running
    // simulator takes a few ms, so 350 ms covers the first retry and nothing longer is needed.
    // (close() also drops the onReconnect listeners: isConnected() is the check that would see it.)
    await new Promise((r) => setTimeout(r, 350));
    expect(reconnects).toBe(0);
    expect(client.isConnected()).toBe(false);
    await sim.close();
  });
});

describe('AriClient failure modes', () => {
  it('rejects with a timeout error when the server never answers a request', async () => {
    // Accepts the events WebSocket, then leaves every HTTP request unanswered.
    const server = http.createServer(() => undefined);
    const wss = new WebSocketServer({ server });
    const url = await listen(server);
    const client = await AriClient.connect({ url, username: USER, password: PASS, app: APP, requestTimeoutMs: 200 });
    try {
      const started = Date.now();
      const err = await client.originate({ endpoint: `PJSIP/${NUMBER}@carrier` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AriRequestError);
      expect(err).toMatchObject({ timedOut: true, method: 'POST', path: '/ari/channels' });
      expect((err as Error).message).toBe('ARI POST /ari/channels timed out after 200 ms');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await client.close();
      await closeServer(server, wss);
    }
  });

  it('keeps at most maxConcurrentRequests in flight, and the timeout covers the wait for a slot', async () => {
    // The server holds each request until the test lets it go, so what is in flight at once
    // does not depend on how fast this machine answers.
    let inFlight = 0;
    let max = 0;
    let mode: 'hold' | 'answer' | 'never' = 'hold';
    const held: (() => void)[] = [];
    const server = http.createServer((req, res) => {
      inFlight++;
      max = Math.max(max, inFlight);
      const answer = (): void => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: req.url?.split('/').pop() }));
      };
      if (mode === 'hold') held.push(answer);
      else if (mode === 'answer') answer();
      // 'never': left unanswered
    });
    const wss = new WebSocketServer({ server });
    const url = await listen(server);
    const client = await AriClient.connect({ url, username: USER, password: PASS, app: APP, maxConcurrentRequests: 3 });
    // Timing out is the point here, so a short timeout; the first client keeps the default.
    const impatient = AriClient.restOnly({ url, username: USER, password: PASS, app: APP, maxConcurrentRequests: 3, requestTimeoutMs: 200 });
    try {
      const got = Promise.all(Array.from({ length: 12 }, (_, i) => client.getChannel(`c${i}`)));
      await eventually(() => (inFlight >= 3 ? true : undefined), '3 requests in flight at the server');
      // The claim is that no 4th is sent while 3 are unanswered, and that can only be watched
      // for a while: a client without the limit sends all 12 in the same tick, so they would
      // reach the server within a few ms of the 3rd; 50 ms of quiet shows there is no 4th.
      await new Promise((r) => setTimeout(r, 50));
      expect(inFlight).toBe(3);
      mode = 'answer';
      for (const answer of held.splice(0)) answer();
      const channels = await within(got, 'the 12 requests to be answered');
      expect(channels.map((c) => c?.id)).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`));
      expect(max).toBe(3);

      mode = 'never';
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => impatient.getChannel('x')));
      // 3 sent and unanswered, 2 still waiting for a slot: all time out on their own clock
      expect(results.map((r) => r.status === 'rejected' && (r.reason as AriRequestError).timedOut)).toEqual([true, true, true, true, true]);
    } finally {
      await impatient.close();
      await client.close();
      await closeServer(server, wss);
    }
  });

  it('connect rejects when the WebSocket handshake is never answered', async () => {
    const server = http.createServer(() => undefined);
    const sockets: Duplex[] = [];
    upgraded.set(server, sockets);
    server.on('upgrade', (_req, socket) => void sockets.push(socket)); // never answered
    const url = await listen(server);
    const err = await AriClient.connect({ url, username: USER, password: PASS, app: APP, requestTimeoutMs: 200 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/ARI events WebSocket ws:\/\/127\.0\.0\.1:\d+\/ari\/events\?app=dialer failed/);
    await closeServer(server);
  });

  it('connect rejects clearly when nothing listens on the port', async () => {
    const server = http.createServer();
    const url = await listen(server);
    await closeServer(server);
    const err = await AriClient.connect({ url, username: USER, password: PASS, app: APP }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('REST errors carry method, path, status and Asterisk\'s message', async () => {
    // Asterisk checks credentials per request: the WebSocket may be open while REST says 401.
    const server = http.createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"Authentication required"}');
    });
    const wss = new WebSocketServer({ server });
    const url = await listen(server);
    const client = await AriClient.connect({ url, username: USER, password: PASS, app: APP, reconnect: false });
    try {
      const err = await client.hangup('1700000000.42', 'busy').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AriHttpError);
      expect(err).toMatchObject({ status: 401, method: 'DELETE', path: '/ari/channels/1700000000.42', ariMessage: 'Authentication required' });
      expect((err as Error).message).toBe('ARI DELETE /ari/channels/1700000000.42 failed: HTTP 401 (Authentication required)');
    } finally {
      await client.close();
      await closeServer(server, wss);
    }
  });

  it('REST calls to a closed port fail with AriRequestError, not a timeout', async () => {
    const server = http.createServer(() => undefined);
    const wss = new WebSocketServer({ server });
    const url = await listen(server);
    const client = await AriClient.connect({ url, username: USER, password: PASS, app: APP, reconnect: false });
    await closeServer(server, wss);
    const err = await client.getChannel('abc').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriRequestError);
    expect(err).toMatchObject({ timedOut: false, path: '/ari/channels/abc' });
    expect((err as Error).message).toMatch(/^ARI GET \/ari\/channels\/abc failed: ECONNREFUSED/);
    await client.close();
  });
});
