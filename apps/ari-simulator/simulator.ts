/**
 * ARI simulator: an HTTP + WebSocket server that speaks the subset of Asterisk 22's ARI the
 * dialer uses (docs.asterisk.org, "Asterisk REST Interface": Channels, Playbacks, Events), so
 * the same AriClient talks to it now and to a real Asterisk later.
 *
 * What a dialled number does (rules mode, `defaultNumberRules`), by its digits without '+':
 *
 *   ends in  behaviour            what the app sees
 *   98       congestion           fails after 0.5 s, cause 34
 *   97       machine              like answer, but AMD (dialer-amd) says MACHINE; counted as 'machine'
 *   96       slow_answer          rings 20 s, then answers (no answer if the originate timeout is shorter)
 *   0 1 2 3  answer               rings 2 s, answers, listens until the app hangs up
 *   4        answer_press_1       like answer, presses DTMF '1' 1.5 s after its first playback starts
 *   5        busy, then answer    busy (cause 17) on the first call to the number, answers later
 *   6        busy                 fails after 0.5 s, cause 17
 *   7        no_answer            rings until the originate timeout, cause 19
 *   8        answer_hangup_early  answers, hangs up 1 s later, cause 16
 *   9        unallocated          fails after 0.5 s, cause 1
 *
 * A listener hangs up by itself (cause 16) after 10 minutes. Every duration, the originate
 * timeout included, is multiplied by `timeScale` (0 = everything on the next timer ticks, in
 * the same order), except that the 10-minute limit never drops below 5 s of real time: it is
 * a safety net, and at timeScale 0 it would otherwise end each call before the app can act.
 * Playback lengths: sound: 1.5 s, number: 0.4 s a digit, digits: 0.3 s a digit, recording:
 * 2 s, anything else 1 s.
 *
 * Routes (under /ari, HTTP Basic or ?api_key=user:pass):
 *   GET  /events                          WebSocket, ?app=a[,b]
 *   GET|POST /channels                    list; originate (query or JSON body, `variables` kept)
 *   GET|POST|DELETE /channels/{id}        get; originate with id; hang up (?reason / ?reason_code)
 *   POST /channels/{id}/answer            204 (409 outside Stasis)
 *   POST /channels/{id}/play[/{pbId}]     201, playbacks queue per channel
 *   POST /channels/{id}/variable          ?variable=X&value=Y: 204; 400 without variable, 404 gone,
 *                                         409 outside Stasis (as Asterisk's find_control())
 *   GET  /channels/{id}/variable          ?variable=X: 200 {value}; 404 unknown channel or variable
 *   POST /channels/{id}/continue          ?context=C&extension=E&priority=P: 204; 404 gone, 409
 *                                         outside Stasis; StasisEnd at once (after the playbacks
 *                                         already queued on the channel, as Asterisk's control queue)
 *   GET|DELETE /playbacks/{id}
 *   GET  /asterisk/info
 * and, without auth, GET /_sim/stats and POST /_sim/reset.
 *
 * Dialplan after a continue (asterisk/sandbox/extensions.conf), to extension s priority 1:
 *   dialer-amd        AMD() for 2.5 s, then back in Stasis: StasisStart args ['amd', 'MACHINE',
 *                     'LONGGREETING-1500-1500'] for the machine behaviour, ['amd', 'HUMAN',
 *                     'HUMAN-800-800'] otherwise.
 *   dialer-operators  Queue(operators) with `operators` members (default 2), timeout the channel
 *                     variable QUEUE_TIMEOUT (default 300 s). A free operator answers after 1 s
 *                     (only if that is before the timeout): Dial {caller: the channel, peer: the
 *                     operator's Local channel, dialstatus ANSWER}; the two talk until the
 *                     subscriber hangs up (its usual listening time) or the app hangs it up, and
 *                     the operator never hangs up first. Nobody free in time: back in Stasis
 *                     with args ['queue', 'TIMEOUT']. A waiting caller gets the next operator freed.
 *   anything else     does nothing and hangs up at once: ChannelHangupRequest 16, ChannelDestroyed 16.
 * Both contexts return to the app in the channel variable DIALER_APP, else 'dialer' (not
 * registered: the channel hangs up). A subscriber who hangs up outside Stasis gives
 * ChannelHangupRequest and ChannelDestroyed, no StasisEnd.
 *
 * Where it deliberately differs from Asterisk: originating into an app that has no events
 * WebSocket is refused with 400 (Asterisk accepts it and hangs the channel up on answer);
 * there are no ChannelCreated/ChannelDialplan/ChannelVarset events and the only Dial event is
 * the operator's ANSWER (Asterisk sends Dial "" and RINGING before it, and Dial events for
 * every originate); the operators' channels are not listed in GET /channels and send no
 * events of their own.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { AriChannel, AriPlayback } from '../../adapters/ari/ariTypes';

export type Behaviour =
  | 'answer' | 'answer_press_1' | 'answer_hangup_early' | 'busy' | 'no_answer' | 'unallocated'
  | 'congestion' | 'machine' | 'slow_answer';

export const BEHAVIOURS: readonly Behaviour[] = [
  'answer', 'answer_press_1', 'answer_hangup_early', 'busy', 'no_answer', 'unallocated',
  'congestion', 'machine', 'slow_answer',
];

export interface NumberRule {
  /** Regex tested against the dialled digits without '+'. The first matching rule wins. */
  match: string;
  /** The n-th call (from 0) to the same number uses behaviours[min(n, length - 1)]. */
  behaviours: Behaviour[];
}

export const defaultNumberRules: NumberRule[] = [
  { match: '98$', behaviours: ['congestion'] },
  { match: '97$', behaviours: ['machine'] },
  { match: '96$', behaviours: ['slow_answer'] },
  { match: '[0-3]$', behaviours: ['answer'] },
  { match: '4$', behaviours: ['answer_press_1'] },
  { match: '5$', behaviours: ['busy', 'answer'] },
  { match: '6$', behaviours: ['busy'] },
  { match: '7$', behaviours: ['no_answer'] },
  { match: '8$', behaviours: ['answer_hangup_early'] },
  { match: '9$', behaviours: ['unallocated'] },
];

/** Weights used in probability mode when none are given. */
export const defaultProbabilities: Record<Behaviour, number> = {
  answer: 0.4, answer_press_1: 0.1, answer_hangup_early: 0.05, busy: 0.1, no_answer: 0.2,
  unallocated: 0.05, congestion: 0.03, machine: 0.05, slow_answer: 0.02,
};

export interface SimulatorOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  username: string;
  password: string;
  /** Multiplies every simulated duration: 1 real time, 0.01 fast tests, 0 zero-length. */
  timeScale?: number;
  mode?: 'rules' | 'probability';
  rules?: NumberRule[];
  probabilities?: Partial<Record<Behaviour, number>>;
  /** Seed of the probability mode's PRNG; default 1, so runs repeat. */
  seed?: number;
  /** Members of the operators' queue (context dialer-operators); default 2, 0 = nobody answers. */
  operators?: number;
  /**
   * Event types never delivered, to test a client against lost events (a real Asterisk 22 lost
   * about 2 % of ChannelDestroyed at 50 concurrent originates, DESIGN.md).
   */
  lostEvents?: readonly string[];
}

export interface SimulatorStats {
  originates: number;
  activeChannels: number;
  maxActiveChannels: number;
  byBehaviour: Record<string, number>;
  /** Subscribers an operator answered in the operators' queue. */
  operatorCalls: number;
  /** Channels sent to the dialer-amd context. */
  amdChecks: number;
}

export interface AriSimulator {
  /** http://host:port */
  url: string;
  close(): Promise<void>;
  stats(): SimulatorStats;
  /** Zeroes the counters and forgets earlier calls per number (so a '5' is busy again). */
  resetStats(): void;
}

// Simulated durations in ms, before timeScale.
const RING_MS = 2000;
const SLOW_RING_MS = 20_000;
const FAIL_MS = 500;
const HANGUP_EARLY_MS = 1000;
const DTMF_AFTER_PLAYBACK_MS = 1500;
const DTMF_DURATION_MS = 100;
const LISTEN_MAX_MS = 10 * 60_000;
/** The listen limit is a safety net, not a behaviour: scaled to 0 it would hang up every
 * answered call before the app could play anything, so it never drops below this, in real ms. */
const LISTEN_MAX_FLOOR_REAL_MS = 5000;
const DEFAULT_ORIGINATE_TIMEOUT_S = 30; // channels.json: originate `timeout` defaults to 30
/** AMD() in dialer-amd until the channel is back in Stasis (~2.5 s machine, ~2 s human observed). */
const AMD_MS = 2500;
/** A free operator rings this long before answering (sim-operators: Wait(1), Answer()). */
const OPERATOR_ANSWER_MS = 1000;
/** dialer-operators: Queue()'s timeout when the channel has no QUEUE_TIMEOUT. */
const DEFAULT_QUEUE_TIMEOUT_S = 300;
const DEFAULT_OPERATORS = 2;
/** The app dialer-amd and dialer-operators return to when the channel has no DIALER_APP. */
const DEFAULT_RETURN_APP = 'dialer';

/** ChannelHangupRequest.cause on an ARI DELETE: ast_softhangup() publishes its flag
 * AST_SOFTHANGUP_EXPLICIT (1 << 5) there, with soft=true, not a Q.850 cause. */
const SOFTHANGUP_EXPLICIT = 32;

const ASTERISK_ID = '02:00:00:00:00:01';

/** ast_cause2str() texts (main/channel.c causes[]) for the causes the simulator produces. */
const CAUSE_TEXT: Record<number, string> = {
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  28: 'Invalid number format',
  31: 'Normal, unspecified',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  58: 'Bearer capability not available',
  127: 'Interworking, unspecified',
};

export function causeText(cause: number): string {
  return CAUSE_TEXT[cause] ?? 'Unknown';
}

/** resource_channels.c convert_reason_to_hangup_code(). */
const REASON_CAUSE: Record<string, number> = {
  normal: 16, busy: 17, congestion: 34, no_answer: 19, timeout: 18, rejected: 21,
  unallocated: 1, normal_unspecified: 31, number_incomplete: 28, codec_mismatch: 58,
  interworking: 127, failure: 38, answered_elsewhere: 26,
};

/** The number in an endpoint: after the first '/', before any '@', without a leading '+'. */
export function numberFromEndpoint(endpoint: string): string {
  const afterTech = endpoint.slice(endpoint.indexOf('/') + 1);
  const at = afterTech.indexOf('@');
  return (at >= 0 ? afterTech.slice(0, at) : afterTech).replace(/^\+/, '');
}

let lastTimeMs = -1;
let lastTimeText = '';
/** Asterisk's timestamp format (ast_json_timeval): milliseconds and a +0000 offset. */
function ariTime(ms = Date.now()): string {
  if (ms !== lastTimeMs) {
    lastTimeMs = ms;
    lastTimeText = `${new Date(ms).toISOString().slice(0, 23)}+0000`;
  }
  return lastTimeText;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ast_callerid_parse(), roughly: `"Name" <number>`, or a bare number, or a bare name. */
function parseCallerId(s: string | undefined): { name: string; number: string } {
  if (!s) return { name: '', number: '' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(s);
  if (m) return { name: m[1] ?? '', number: m[2] ?? '' };
  return /^[+\d*#]+$/.test(s.trim()) ? { name: '', number: s.trim() } : { name: s.trim(), number: '' };
}

function playbackMs(media: string): number {
  const colon = media.indexOf(':');
  const scheme = colon >= 0 ? media.slice(0, colon) : '';
  const rest = media.slice(colon + 1);
  switch (scheme) {
    case 'sound': return 1500;
    case 'number': return 400 * Math.max(1, rest.replace(/\D/g, '').length);
    case 'digits': return 300 * Math.max(1, rest.length);
    case 'recording': return 2000;
    default: return 1000;
  }
}

interface SimPlayback {
  pb: AriPlayback;
  medias: string[];
  started: boolean;
  canceled: boolean;
  timer: NodeJS.Timeout | null;
}

interface SimChannel {
  snap: AriChannel;
  app: string;
  args: string[];
  behaviour: Behaviour;
  /** Unscaled ring limit in ms; null = no limit (timeout -1). */
  ringLimitMs: number | null;
  inStasis: boolean;
  ended: boolean;
  timers: NodeJS.Timeout[];
  playing: SimPlayback | null;
  queue: SimPlayback[];
  /** answer_press_1: the DTMF is still to be scheduled on the first PlaybackStarted. */
  dtmfArmed: boolean;
  /** Channel variables: the originate's `variables` and POST /channels/{id}/variable. */
  vars: Map<string, string>;
  /** A continue waiting for the playbacks before it in the channel's control queue. */
  leaving: DialplanTarget | null;
  /** In the operators' queue: since when (real ms) and until when (unscaled ms after that). */
  inQueue: null | { enteredAt: number; timeoutMs: number; timer: NodeJS.Timeout | null };
  /** The operator ringing for this channel (inQueue still set) or talking with it. */
  operator: SimOperator | null;
}

interface DialplanTarget {
  context: string;
  extension: string;
  priority: number;
}

interface SimOperator {
  /** 1-based, as the queue's members Local/1@sim-operators, Local/2@sim-operators... */
  member: number;
  busy: boolean;
}

class HttpFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

class Simulator implements AriSimulator {
  url = '';
  private readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly credentials: string;
  private readonly basicHeader: string;
  private readonly scale: number;
  private readonly mode: 'rules' | 'probability';
  private readonly rules: { re: RegExp; behaviours: Behaviour[] }[];
  private readonly weights: [Behaviour, number][];
  private readonly weightTotal: number;
  private readonly random: () => number;

  /** One WebSocket per app: like Asterisk, a newer connection for the app replaces the older. */
  private readonly apps = new Map<string, WebSocket>();
  private readonly channels = new Map<string, SimChannel>();
  private readonly playbacks = new Map<string, SimPlayback>();
  /** Calls made so far per number, kept only for rules with several behaviours. */
  private readonly callsPerNumber = new Map<string, number>();
  private idSeq = 0;
  private nameSeq = 0;
  private playbackSeq = 0;
  private counters = emptyCounters(0);
  private readonly operators: SimOperator[];
  /** Channels waiting in the operators' queue for a free operator, longest waiting first. */
  private readonly queueWaiting: SimChannel[] = [];

  constructor(private readonly opts: SimulatorOptions) {
    this.credentials = `${opts.username}:${opts.password}`;
    this.basicHeader = `Basic ${Buffer.from(this.credentials).toString('base64')}`;
    this.scale = opts.timeScale ?? 1;
    if (!(this.scale >= 0)) throw new Error('timeScale must be >= 0');
    this.mode = opts.mode ?? 'rules';
    this.rules = (opts.rules ?? defaultNumberRules).map((r) => {
      if (!r.behaviours.length || r.behaviours.some((b) => !BEHAVIOURS.includes(b))) {
        throw new Error(`rule ${r.match}: behaviours must be a non-empty list of ${BEHAVIOURS.join(', ')}`);
      }
      return { re: new RegExp(r.match), behaviours: [...r.behaviours] };
    });
    const probs = opts.probabilities ?? defaultProbabilities;
    this.weights = BEHAVIOURS.map((b): [Behaviour, number] => [b, Math.max(0, probs[b] ?? 0)])
      .filter(([, w]) => w > 0);
    this.weightTotal = this.weights.reduce((s, [, w]) => s + w, 0);
    if (this.mode === 'probability' && this.weightTotal <= 0) {
      throw new Error('probability mode needs at least one positive probability');
    }
    this.random = mulberry32(opts.seed ?? 1);
    const operators = opts.operators ?? DEFAULT_OPERATORS;
    if (!Number.isInteger(operators) || operators < 0) throw new Error('operators must be an integer >= 0');
    this.operators = Array.from({ length: operators }, (_, i) => ({ member: i + 1, busy: false }));
    this.server = http.createServer((req, res) => this.handleHttp(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket as Socket, head));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    this.url = `http://${host}:${addr.port}`;
  }

  stats(): SimulatorStats {
    return {
      originates: this.counters.originates,
      activeChannels: this.channels.size,
      maxActiveChannels: this.counters.maxActiveChannels,
      byBehaviour: { ...this.counters.byBehaviour },
      operatorCalls: this.counters.operatorCalls,
      amdChecks: this.counters.amdChecks,
    };
  }

  resetStats(): void {
    this.counters = emptyCounters(this.channels.size);
    this.callsPerNumber.clear();
  }

  async close(): Promise<void> {
    for (const ch of this.channels.values()) clearTimers(ch);
    this.channels.clear();
    this.playbacks.clear();
    this.queueWaiting.length = 0;
    for (const op of this.operators) op.busy = false;
    for (const ws of this.wss.clients) ws.terminate();
    this.apps.clear();
    await new Promise<void>((resolve) => {
      this.wss.close(() => resolve());
    });
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- transport ----------------------------------------------------------------------------

  private authorized(req: http.IncomingMessage, url: URL): boolean {
    // res_ari.c: HTTP Basic, or ?api_key=user:pass when there is no Authorization header.
    const header = req.headers.authorization;
    if (header) {
      if (header === this.basicHeader) return true;
      if (!header.startsWith('Basic ')) return false;
      return Buffer.from(header.slice(6), 'base64').toString('utf8') === this.credentials;
    }
    return url.searchParams.get('api_key') === this.credentials;
  }

  private handleUpgrade(req: http.IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://sim');
    const refuse = (status: number, reason: string, message: string, extra = ''): void => {
      const body = JSON.stringify({ message });
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n${extra}`
        + `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    socket.on('error', () => undefined);
    if (url.pathname !== '/ari/events') return refuse(404, 'Not Found', 'Resource not found');
    if (!this.authorized(req, url)) {
      return refuse(401, 'Unauthorized', 'Authentication required',
        'WWW-Authenticate: Basic realm="Asterisk REST Interface"\r\n');
    }
    const apps = (url.searchParams.get('app') ?? '').split(',').filter(Boolean);
    if (apps.length === 0) return refuse(400, 'Bad Request', "Missing param 'app'");
    this.wss.handleUpgrade(req, socket, head, (ws) => this.register(ws, apps));
  }

  private register(ws: WebSocket, apps: string[]): void {
    ws.on('error', () => undefined);
    for (const app of apps) {
      const old = this.apps.get(app);
      if (old && old !== ws && old.readyState === WebSocket.OPEN) {
        // events.json ApplicationReplaced: "the newer WebSocket wins, and the older one
        // receives this event".
        old.send(JSON.stringify({ type: 'ApplicationReplaced', timestamp: ariTime(), asterisk_id: ASTERISK_ID, application: app }));
      }
      this.apps.set(app, ws);
    }
    ws.on('close', () => {
      for (const app of apps) if (this.apps.get(app) === ws) this.apps.delete(app);
    });
  }

  private emit(app: string, type: string, fields: Record<string, unknown>): void {
    if (this.opts.lostEvents?.includes(type)) return;
    const ws = this.apps.get(app);
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    ws.send(JSON.stringify({ type, timestamp: ariTime(), ...fields, asterisk_id: ASTERISK_ID, application: app }));
  }

  private handleHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.route(req, res).catch((err: unknown) => {
      const status = err instanceof HttpFailure ? err.status : 500;
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) reply(res, status, { message });
      else res.end();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (path === '/_sim/stats' && method === 'GET') return reply(res, 200, this.stats());
    if (path === '/_sim/reset' && method === 'POST') { this.resetStats(); return reply(res, 204); }

    if (!path.startsWith('/ari/')) throw new HttpFailure(404, 'Resource not found');
    if (!this.authorized(req, url)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Asterisk REST Interface"');
      throw new HttpFailure(401, 'Authentication required');
    }
    const parts = path.slice('/ari/'.length).split('/').map(decodeURIComponent);
    const q = url.searchParams;
    const [resource, id, action, sub] = parts;

    if (resource === 'channels') {
      if (id === undefined || id === '') {
        if (method === 'GET') return reply(res, 200, [...this.channels.values()].map((c) => c.snap));
        if (method === 'POST') return reply(res, 200, this.originate(q, await readJson(req), undefined));
        throw new HttpFailure(405, 'Invalid method');
      }
      if (action === undefined) {
        if (method === 'GET') return reply(res, 200, this.channelOr404(id).snap);
        if (method === 'POST') return reply(res, 200, this.originate(q, await readJson(req), id));
        if (method === 'DELETE') { this.appHangup(id, q); return reply(res, 204); }
        throw new HttpFailure(405, 'Invalid method');
      }
      if (action === 'answer' && method === 'POST' && sub === undefined) {
        this.controllable(id);
        return reply(res, 204);
      }
      if (action === 'continue' && method === 'POST' && sub === undefined) {
        this.continueInDialplan(id, q);
        return reply(res, 204);
      }
      if (action === 'variable' && sub === undefined) {
        if (method === 'POST') { this.setVariable(id, q); return reply(res, 204); }
        if (method === 'GET') return reply(res, 200, { value: this.getVariable(id, q) });
        throw new HttpFailure(405, 'Invalid method');
      }
      if (action === 'play' && method === 'POST') {
        const pb = this.play(id, q, sub ?? q.get('playbackId') ?? undefined);
        res.setHeader('Location', `/playbacks/${encodeURIComponent(pb.id)}`);
        return reply(res, 201, pb);
      }
    } else if (resource === 'playbacks' && id && action === undefined) {
      const p = this.playbacks.get(id);
      if (!p) throw new HttpFailure(404, 'Playback not found');
      if (method === 'GET') return reply(res, 200, p.pb);
      if (method === 'DELETE') { this.stopPlayback(p); return reply(res, 204); }
      throw new HttpFailure(405, 'Invalid method');
    } else if (resource === 'asterisk' && id === 'info' && method === 'GET') {
      return reply(res, 200, this.info());
    }
    throw new HttpFailure(404, 'Resource not found');
  }

  // ---- channels -----------------------------------------------------------------------------

  private originate(q: URLSearchParams, body: Record<string, unknown> | undefined, pathId: string | undefined): AriChannel {
    // channels.json: "Other keys in the body object are interpreted as query parameters."
    const param = (k: string): string | undefined => {
      const v = q.get(k) ?? (body && typeof body[k] === 'string' ? (body[k] as string) : undefined);
      return v === null || v === '' ? undefined : v;
    };
    const endpoint = param('endpoint');
    const app = param('app');
    const channelId = pathId ?? param('channelId');
    // Messages as resource_channels.c ari_channels_handle_originate_with_id() words them.
    if (!endpoint) throw new HttpFailure(400, 'Endpoint must be specified');
    const slash = endpoint.indexOf('/');
    if (slash <= 0 || slash === endpoint.length - 1) throw new HttpFailure(400, 'Invalid endpoint specified');
    if (!app) {
      if (param('extension')) throw new HttpFailure(400, 'The ARI simulator only originates into a Stasis application (app)');
      throw new HttpFailure(400, 'Application or extension must be specified');
    }
    if (!this.apps.has(app)) {
      throw new HttpFailure(400, `Stasis application '${app}' is not registered (no events WebSocket connected for it)`);
    }
    const variables = body?.variables;
    if (variables !== undefined && (typeof variables !== 'object' || variables === null
      || Object.values(variables).some((v) => typeof v !== 'string'))) {
      throw new HttpFailure(400, "Each value in 'variables' must be a string");
    }
    if (channelId !== undefined && this.channels.has(channelId)) {
      throw new HttpFailure(409, 'Channel with given unique ID already exists');
    }
    const timeoutRaw = Number(param('timeout') ?? DEFAULT_ORIGINATE_TIMEOUT_S);
    const timeoutS = Number.isFinite(timeoutRaw) && timeoutRaw !== 0 ? timeoutRaw : DEFAULT_ORIGINATE_TIMEOUT_S;

    const number = numberFromEndpoint(endpoint);
    const behaviour = this.pickBehaviour(number);
    const now = Date.now();
    const id = channelId ?? `${Math.floor(now / 1000)}.${this.idSeq++}`;
    // chan_pjsip names a channel after the endpoint: PJSIP/<number>@<endpoint> gives
    // PJSIP/<endpoint>-0000002a.
    const afterTech = endpoint.slice(slash + 1);
    const at = afterTech.indexOf('@');
    const device = at >= 0 ? afterTech.slice(at + 1) : afterTech;
    const name = `${endpoint.slice(0, slash)}/${device}-${this.nextNameSuffix()}`;
    const cid = parseCallerId(param('callerId'));
    const args = param('appArgs')?.split(',') ?? [];

    const ch: SimChannel = {
      snap: {
        id, name, state: 'Down', protocol_id: '',
        // Asterisk sets both caller and connected line to the originate's callerId.
        caller: { ...cid }, connected: { ...cid },
        accountcode: '',
        dialplan: { context: 'default', exten: 's', priority: 1, app_name: '', app_data: '' },
        creationtime: ariTime(now), language: 'en',
      },
      app, args, behaviour,
      ringLimitMs: timeoutS < 0 ? null : timeoutS * 1000,
      inStasis: false, ended: false, timers: [], playing: null, queue: [], dtmfArmed: false,
      vars: new Map(), leaving: null, inQueue: null, operator: null,
    };
    for (const [k, v] of Object.entries((variables ?? {}) as Record<string, string>)) this.assignVariable(ch, k, v);
    this.channels.set(id, ch);
    this.counters.originates++;
    this.counters.byBehaviour[behaviour] = (this.counters.byBehaviour[behaviour] ?? 0) + 1;
    if (this.channels.size > this.counters.maxActiveChannels) this.counters.maxActiveChannels = this.channels.size;
    this.startCall(ch);
    return ch.snap;
  }

  /** The 8-hex-digit sequence Asterisk appends to channel names (ast_atomic_fetchadd_int(&chancount)). */
  private nextNameSuffix(): string {
    return (this.nameSeq++ & 0xffffffff).toString(16).padStart(8, '0');
  }

  private pickBehaviour(number: string): Behaviour {
    if (this.mode === 'probability') {
      let r = this.random() * this.weightTotal;
      for (const [b, w] of this.weights) {
        if (r < w) return b;
        r -= w;
      }
      return this.weights[this.weights.length - 1]![0];
    }
    const rule = this.rules.find((r) => r.re.test(number));
    if (!rule) return 'answer';
    if (rule.behaviours.length === 1) return rule.behaviours[0]!;
    const n = this.callsPerNumber.get(number) ?? 0;
    this.callsPerNumber.set(number, n + 1);
    return rule.behaviours[Math.min(n, rule.behaviours.length - 1)]!;
  }

  private after(ch: SimChannel, ms: number, fn: () => void): NodeJS.Timeout {
    const t = setTimeout(fn, ms * this.scale);
    ch.timers.push(t);
    return t;
  }

  private startCall(ch: SimChannel): void {
    const b = ch.behaviour;
    // A SIP failure answer (486, 404, 503) comes without a 180: no Ringing state, and
    // Asterisk reports a channel that never entered Stasis with ChannelDestroyed alone.
    if (b === 'busy') { this.after(ch, FAIL_MS, () => this.destroy(ch, 17)); return; }
    if (b === 'unallocated') { this.after(ch, FAIL_MS, () => this.destroy(ch, 1)); return; }
    if (b === 'congestion') { this.after(ch, FAIL_MS, () => this.destroy(ch, 34)); return; }

    this.after(ch, 0, () => this.setState(ch, 'Ringing'));
    const ringMs = b === 'no_answer' ? Infinity : b === 'slow_answer' ? SLOW_RING_MS : RING_MS;
    // Compared unscaled, so timeScale 0 keeps the same outcome.
    const limit = ch.ringLimitMs ?? LISTEN_MAX_MS;
    if (limit <= ringMs) this.after(ch, limit, () => this.destroy(ch, 19));
    else this.after(ch, ringMs, () => this.answer(ch));
  }

  private setState(ch: SimChannel, state: AriChannel['state']): void {
    ch.snap.state = state;
    this.emit(ch.app, 'ChannelStateChange', { channel: ch.snap });
  }

  private answer(ch: SimChannel): void {
    this.setState(ch, 'Up');
    ch.snap.protocol_id = `${ch.snap.id}@ari-simulator`;
    ch.snap.dialplan = {
      ...ch.snap.dialplan, app_name: 'Stasis', app_data: [ch.app, ...ch.args].join(','),
    };
    ch.inStasis = true;
    this.emit(ch.app, 'StasisStart', { args: ch.args, channel: ch.snap });
    if (ch.behaviour === 'answer_hangup_early') {
      this.after(ch, HANGUP_EARLY_MS, () => this.remoteHangup(ch, 16));
      return;
    }
    if (ch.behaviour === 'answer_press_1') ch.dtmfArmed = true;
    const listenRealMs = Math.max(LISTEN_MAX_MS * this.scale, LISTEN_MAX_FLOOR_REAL_MS);
    ch.timers.push(setTimeout(() => this.remoteHangup(ch, 16), listenRealMs));
  }

  /** The subscriber hangs up: the request carries the cause, then Stasis ends. */
  private remoteHangup(ch: SimChannel, cause: number): void {
    if (ch.ended) return;
    this.emit(ch.app, 'ChannelHangupRequest', { cause, channel: ch.snap });
    this.destroy(ch, cause);
  }

  private appHangup(id: string, q: URLSearchParams): void {
    const ch = this.channelOr404(id);
    const reason = q.get('reason') || undefined;
    const reasonCode = q.get('reason_code') || undefined;
    if (reason && reasonCode) throw new HttpFailure(400, "The reason and reason_code can't both be specified");
    let cause = 16;
    if (reasonCode) {
      cause = Number.parseInt(reasonCode, 10);
      if (!Number.isFinite(cause)) throw new HttpFailure(400, 'Invalid reason for hangup reason code provided');
    } else if (reason) {
      const c = REASON_CAUSE[reason];
      if (c === undefined) throw new HttpFailure(400, 'Invalid reason for hangup reason provided');
      cause = c;
    }
    this.emit(ch.app, 'ChannelHangupRequest', { cause: SOFTHANGUP_EXPLICIT, soft: true, channel: ch.snap });
    this.destroy(ch, cause);
  }

  /**
   * Ends the channel the way Asterisk reports it: a playback under way finishes ('done')
   * before StasisEnd, StasisEnd only if the channel had entered Stasis, ChannelDestroyed last.
   */
  private destroy(ch: SimChannel, cause: number): void {
    if (ch.ended) return;
    ch.ended = true;
    clearTimers(ch);
    ch.leaving = null;
    this.leaveQueue(ch);
    const p = ch.playing;
    if (p) {
      if (p.timer) clearTimeout(p.timer);
      if (p.started) {
        p.pb.state = 'done';
        this.emit(ch.app, 'PlaybackFinished', { playback: p.pb });
      }
      this.playbacks.delete(p.pb.id);
    }
    for (const queued of ch.queue) this.playbacks.delete(queued.pb.id);
    ch.playing = null;
    ch.queue = [];
    if (ch.inStasis) {
      ch.inStasis = false;
      this.emit(ch.app, 'StasisEnd', { channel: ch.snap });
    }
    this.emit(ch.app, 'ChannelDestroyed', { cause, cause_txt: causeText(cause), channel: ch.snap });
    this.channels.delete(ch.snap.id);
  }

  private channelOr404(id: string): SimChannel {
    const ch = this.channels.get(id);
    if (!ch) throw new HttpFailure(404, 'Channel not found');
    return ch;
  }

  /** resource_channels.c find_control(): 404 if gone, 409 if not (yet, or no longer) in Stasis.
   * A channel whose continue waits behind a playback counts as gone from Stasis too. */
  private controllable(id: string): SimChannel {
    const ch = this.channelOr404(id);
    if (!ch.inStasis || ch.leaving) throw new HttpFailure(409, 'Channel not in Stasis application');
    return ch;
  }

  // ---- channel variables --------------------------------------------------------------------

  /** resource_channels.c ast_ari_channels_set_channel_var(): 400 without a name, then find_control(). */
  private setVariable(id: string, q: URLSearchParams): void {
    const variable = q.get('variable');
    if (!variable) throw new HttpFailure(400, 'Variable name is required');
    const ch = this.channelOr404(id);
    if (!ch.inStasis) throw new HttpFailure(409, 'Channel not in Stasis application');
    this.assignVariable(ch, variable, q.get('value'));
  }

  /** pbx_builtin_setvar_helper(): no value deletes the variable; CHANNEL(language) sets the language. */
  private assignVariable(ch: SimChannel, name: string, value: string | null): void {
    if (name === 'CHANNEL(language)') {
      if (value) ch.snap.language = value;
      return;
    }
    if (value === null) ch.vars.delete(name);
    else ch.vars.set(name, value);
  }

  /** ast_ari_channels_get_channel_var(): works on any channel, in Stasis or not. */
  private getVariable(id: string, q: URLSearchParams): string {
    const variable = q.get('variable');
    if (!variable) throw new HttpFailure(400, 'Variable name is required');
    const ch = this.channels.get(id);
    if (!ch) throw new HttpFailure(404, 'Provided channel was not found');
    if (variable === 'CHANNEL(language)') return ch.snap.language;
    const value = ch.vars.get(variable);
    if (value === undefined) throw new HttpFailure(404, 'Provided variable was not found');
    return value;
  }

  // ---- dialplan: continue, AMD, the operators' queue ----------------------------------------

  /** resource_channels.c ast_ari_channels_continue_in_dialplan(): the same defaults for a
   * missing context, extension and priority. Asterisk queues the continue in the channel's
   * control queue, so it waits for the playbacks already there. */
  private continueInDialplan(id: string, q: URLSearchParams): void {
    const ch = this.controllable(id);
    const context = q.get('context') || undefined;
    const extension = q.get('extension') || undefined;
    const priorityRaw = Number.parseInt(q.get('priority') ?? '', 10);
    const to: DialplanTarget = {
      context: context ?? ch.snap.dialplan.context,
      extension: extension ?? (context ? 's' : ch.snap.dialplan.exten),
      priority: priorityRaw ? priorityRaw : !context && !extension ? ch.snap.dialplan.priority + 1 : 1,
    };
    if (ch.playing) ch.leaving = to;
    else this.leave(ch, to);
  }

  /** The channel leaves Stasis and runs the dialplan at `to`. */
  private leave(ch: SimChannel, to: DialplanTarget): void {
    ch.leaving = null;
    ch.inStasis = false;
    this.emit(ch.app, 'StasisEnd', { channel: ch.snap });
    ch.snap.dialplan = { context: to.context, exten: to.extension, priority: to.priority, app_name: '', app_data: '' };
    const atStart = to.extension === 's' && to.priority === 1;
    if (atStart && to.context === 'dialer-amd') this.runAmd(ch);
    else if (atStart && to.context === 'dialer-operators') this.enterQueue(ch);
    // Any other place: dialplan that does nothing (or does not exist) and hangs up.
    else this.after(ch, 0, () => this.remoteHangup(ch, 16));
  }

  /** dialer-amd: AMD(), then Stasis(${DIALER_APP},amd,${AMDSTATUS},${AMDCAUSE}). */
  private runAmd(ch: SimChannel): void {
    this.counters.amdChecks++;
    ch.snap.dialplan = { ...ch.snap.dialplan, app_name: 'AMD', app_data: '' };
    const [status, cause] = ch.behaviour === 'machine' ? ['MACHINE', 'LONGGREETING-1500-1500'] : ['HUMAN', 'HUMAN-800-800'];
    this.after(ch, AMD_MS, () => {
      ch.vars.set('AMDSTATUS', status);
      ch.vars.set('AMDCAUSE', cause);
      this.backToStasis(ch, ['amd', status, cause]);
    });
  }

  /** The dialplan's Stasis(${DIALER_APP}, ...) at priority 2: the channel enters the app again. */
  private backToStasis(ch: SimChannel, args: string[]): void {
    const app = ch.vars.get('DIALER_APP') || DEFAULT_RETURN_APP;
    ch.snap.dialplan = { ...ch.snap.dialplan, priority: 2, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    if (!this.apps.has(app)) {
      // Stasis() fails for an app nobody registered, and the call ends.
      this.remoteHangup(ch, 16);
      return;
    }
    ch.app = app;
    ch.inStasis = true;
    this.emit(app, 'StasisStart', { args, channel: ch.snap });
  }

  /** dialer-operators: Queue(operators,,,,${QUEUE_TIMEOUT}), then Stasis(${DIALER_APP},queue,${QUEUESTATUS}). */
  private enterQueue(ch: SimChannel): void {
    const raw = ch.vars.get('QUEUE_TIMEOUT');
    // app_queue.c: expire = start + atoi(timeout), so 0 or garbage gives up at once.
    const timeoutS = raw === undefined || raw === '' ? DEFAULT_QUEUE_TIMEOUT_S : Math.max(0, Number.parseInt(raw, 10) || 0);
    ch.snap.dialplan = { ...ch.snap.dialplan, app_name: 'Queue', app_data: `operators,,,,${timeoutS}` };
    const entry: NonNullable<SimChannel['inQueue']> = { enteredAt: Date.now(), timeoutMs: timeoutS * 1000, timer: null };
    ch.inQueue = entry;
    entry.timer = this.after(ch, entry.timeoutMs, () => this.queueTimeout(ch));
    this.queueWaiting.push(ch);
    this.dispatchQueue();
  }

  /** Free operators ring for the longest-waiting callers whose wait lasts past the ring. */
  private dispatchQueue(): void {
    for (let i = 0; i < this.queueWaiting.length;) {
      const member = this.operators.find((o) => !o.busy);
      if (!member) return;
      const ch = this.queueWaiting[i]!;
      const entry = ch.inQueue!;
      // Compared unscaled, so timeScale 0 keeps the same outcome.
      const waitedMs = this.scale > 0 ? (Date.now() - entry.enteredAt) / this.scale : 0;
      if (waitedMs + OPERATOR_ANSWER_MS >= entry.timeoutMs) { i++; continue; } // the queue gives up first
      this.queueWaiting.splice(i, 1);
      member.busy = true;
      ch.operator = member;
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      this.after(ch, OPERATOR_ANSWER_MS, () => this.operatorAnswers(ch));
    }
  }

  /** The queue bridges the subscriber with the operator: Dial ANSWER, caller = the subscriber. */
  private operatorAnswers(ch: SimChannel): void {
    const op = ch.operator;
    if (!op || ch.ended) return;
    ch.inQueue = null;
    this.counters.operatorCalls++;
    const now = Date.now();
    const n = op.member;
    const peer: AriChannel = {
      id: `${Math.floor(now / 1000)}.${this.idSeq++}`,
      name: `Local/${n}@sim-operators-${this.nextNameSuffix()};1`,
      state: 'Up', protocol_id: '',
      caller: { name: '', number: String(n) }, connected: { ...ch.snap.caller },
      accountcode: '',
      dialplan: { context: 'sim-operators', exten: String(n), priority: 1, app_name: 'AppQueue', app_data: '(Outgoing Line)' },
      creationtime: ariTime(now - Math.round(OPERATOR_ANSWER_MS * this.scale)), language: ch.snap.language,
    };
    this.emit(ch.app, 'Dial', { caller: ch.snap, peer, dialstatus: 'ANSWER', dialstring: `${n}@sim-operators` });
  }

  private queueTimeout(ch: SimChannel): void {
    if (ch.ended || !ch.inQueue) return;
    this.leaveQueue(ch);
    ch.vars.set('QUEUESTATUS', 'TIMEOUT');
    this.backToStasis(ch, ['queue', 'TIMEOUT']);
  }

  /** Out of the queue (timed out or hung up): its place and its operator are free again. */
  private leaveQueue(ch: SimChannel): void {
    ch.inQueue = null;
    const i = this.queueWaiting.indexOf(ch);
    if (i >= 0) this.queueWaiting.splice(i, 1);
    if (ch.operator) {
      ch.operator.busy = false;
      ch.operator = null;
      this.dispatchQueue();
    }
  }

  // ---- playbacks ----------------------------------------------------------------------------

  private play(channelId: string, q: URLSearchParams, playbackId: string | undefined): AriPlayback {
    const ch = this.controllable(channelId);
    const medias = q.getAll('media').flatMap((m) => m.split(',')).filter(Boolean);
    if (medias.length === 0) throw new HttpFailure(400, 'Missing required field media');
    const id = playbackId ?? `sim-playback-${++this.playbackSeq}`;
    if (this.playbacks.has(id)) throw new HttpFailure(409, `Playback with ID '${id}' already exists`);
    const pb: AriPlayback = {
      id, media_uri: medias[0]!, target_uri: `channel:${ch.snap.id}`,
      language: q.get('lang') || ch.snap.language, state: 'queued',
    };
    if (medias.length > 1) pb.next_media_uri = medias[1];
    const p: SimPlayback = { pb, medias, started: false, canceled: false, timer: null };
    this.playbacks.set(id, p);
    // Playbacks on a channel run one after another (the channel's control queue).
    if (ch.playing) ch.queue.push(p);
    else {
      ch.playing = p;
      p.timer = this.after(ch, 0, () => this.runMedia(ch, p, 0));
    }
    return { ...pb };
  }

  /** res_stasis_playback.c play_on_channel(): PlaybackStarted for each media, PlaybackContinuing
   * between them, one PlaybackFinished at the end. */
  private runMedia(ch: SimChannel, p: SimPlayback, index: number): void {
    if (p.canceled) return this.finishPlayback(ch, p);
    const media = p.medias[index]!;
    p.started = true;
    p.pb.media_uri = media;
    if (index + 1 < p.medias.length) p.pb.next_media_uri = p.medias[index + 1];
    else delete p.pb.next_media_uri;
    p.pb.state = 'playing';
    this.emit(ch.app, 'PlaybackStarted', { playback: p.pb });
    if (ch.dtmfArmed) {
      ch.dtmfArmed = false;
      this.after(ch, DTMF_AFTER_PLAYBACK_MS, () => {
        this.emit(ch.app, 'ChannelDtmfReceived', { digit: '1', duration_ms: DTMF_DURATION_MS, channel: ch.snap });
      });
    }
    p.timer = this.after(ch, playbackMs(media), () => {
      if (index + 1 < p.medias.length) {
        p.pb.state = 'continuing';
        this.emit(ch.app, 'PlaybackContinuing', { playback: p.pb });
        this.runMedia(ch, p, index + 1);
      } else {
        this.finishPlayback(ch, p);
      }
    });
  }

  private finishPlayback(ch: SimChannel, p: SimPlayback): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    p.pb.state = 'done';
    this.emit(ch.app, 'PlaybackFinished', { playback: p.pb });
    this.playbacks.delete(p.pb.id);
    if (ch.playing === p) {
      ch.playing = ch.queue.shift() ?? null;
      const next = ch.playing;
      if (next) next.timer = this.after(ch, 0, () => this.runMedia(ch, next, 0));
      else if (ch.leaving) this.leave(ch, ch.leaving);
    }
  }

  /** DELETE /playbacks/{id}: a running one ends now ('done'); a queued one is marked and
   * reports PlaybackFinished when its turn comes, as Asterisk's playback_cancel() does. */
  private stopPlayback(p: SimPlayback): void {
    const ch = this.channels.get(p.pb.target_uri.slice('channel:'.length));
    if (!ch) { this.playbacks.delete(p.pb.id); return; }
    if (ch.playing === p && p.started) this.finishPlayback(ch, p);
    else p.canceled = true;
  }

  private info(): unknown {
    return {
      build: { os: process.platform, kernel: '', options: '', machine: process.arch, date: '', user: '' },
      system: { version: 'sim', entity_id: ASTERISK_ID },
      config: { name: 'ari-simulator', default_language: 'en', setid: { user: '', group: '' } },
      status: { startup_time: ariTime(STARTED_AT), last_reload_time: ariTime(STARTED_AT) },
    };
  }
}

const STARTED_AT = Date.now();

function emptyByBehaviour(): Record<string, number> {
  return Object.fromEntries(BEHAVIOURS.map((b) => [b, 0]));
}

function emptyCounters(maxActiveChannels: number): {
  originates: number; maxActiveChannels: number; byBehaviour: Record<string, number>; operatorCalls: number; amdChecks: number;
} {
  return { originates: 0, maxActiveChannels, byBehaviour: emptyByBehaviour(), operatorCalls: 0, amdChecks: 0 };
}

function clearTimers(ch: SimChannel): void {
  for (const t of ch.timers) clearTimeout(t);
  ch.timers.length = 0;
}

function reply(res: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new HttpFailure(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpFailure(400, 'Invalid JSON body');
  }
  if (parsed === null) return undefined;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new HttpFailure(400, 'Body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export async function startAriSimulator(opts: SimulatorOptions): Promise<AriSimulator> {
  const sim = new Simulator(opts);
  await sim.listen();
  return sim;
}
