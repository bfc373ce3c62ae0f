import WebSocket from 'ws';
import type { AriChannel, AriEndpoint, AriEvent, AriHangupReason, AriLiveRecording, AriPlayback, AriSound } from './ariTypes';

// A small ARI client over Node's fetch and `ws`, in place of the `ari-client` package (no HTTP
// timeout, per-channel listeners that leak, unmaintained). It speaks the REST and events
// protocol of docs.asterisk.org "Asterisk REST Interface" and is tested against
// apps/ari-simulator. Endpoint strings hold phone numbers, so nothing here logs, and error
// messages name the path without its query string.

export interface AriClientOptions {
  /** Base URL of Asterisk's HTTP server, without /ari, e.g. http://127.0.0.1:8188. */
  url: string;
  username: string;
  password: string;
  /** The Stasis application this client registers and originates into. */
  app: string;
  /** Per HTTP request, and for the WebSocket handshake; default 5000. */
  requestTimeoutMs?: number;
  /** Reopen the events WebSocket with backoff when it drops; default true. */
  reconnect?: boolean;
  /** HTTP requests in flight at once; more wait their turn (inside their timeout). Default 32. */
  maxConcurrentRequests?: number;
  /** Receives errors thrown by event listeners and failed reconnect attempts (ids only). */
  onError?: (err: Error) => void;
}

export interface OriginateParams {
  /** e.g. PJSIP/79161234567@carrier */
  endpoint: string;
  channelId?: string;
  callerId?: string;
  /** Seconds to ring before giving up; Asterisk's default is 30, -1 for none. */
  timeoutSec?: number;
  /** Passed to StasisStart.args, split on ','. */
  appArgs?: string;
  variables?: Record<string, string>;
}

export type AriEventListener = (e: AriEvent) => void;

/** Asterisk answered with an error status; `message` carries its {"message": ...} text. */
export class AriHttpError extends Error {
  override readonly name = 'AriHttpError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly ariMessage: string | undefined,
  ) {
    super(`ARI ${method} ${path} failed: HTTP ${status}${ariMessage ? ` (${ariMessage})` : ''}`);
  }
}

/** No HTTP answer at all: the request timed out or the connection failed. */
export class AriRequestError extends Error {
  override readonly name = 'AriRequestError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timedOut: boolean,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

type Query = Record<string, string | number | undefined>;

const PING_INTERVAL_MS = 15_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;

export class AriClient {
  private readonly restBase: string;
  private readonly eventsUrl: string;
  /** The events URL without api_key, for error messages. */
  private readonly eventsUrlShown: string;
  private readonly authHeader: string;
  private readonly timeoutMs: number;
  private readonly reconnect: boolean;
  private readonly onError: (err: Error) => void;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  private ws: WebSocket | null = null;
  private closed = false;
  private reconnectAttempt = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongPending = false;

  private readonly listeners = new Set<AriEventListener>();
  private readonly channelListeners = new Map<string, Set<AriEventListener>>();
  private readonly reconnectListeners = new Set<() => void>();

  private constructor(private readonly opts: AriClientOptions) {
    const base = opts.url.replace(/\/+$/, '');
    this.restBase = `${base}/ari`;
    const wsBase = base.replace(/^http/i, 'ws');
    const app = encodeURIComponent(opts.app);
    this.eventsUrlShown = `${wsBase}/ari/events?app=${app}`;
    const apiKey = encodeURIComponent(`${opts.username}:${opts.password}`);
    this.eventsUrl = `${wsBase}/ari/events?app=${app}&api_key=${apiKey}&subscribeAll=false`;
    this.authHeader = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.reconnect = opts.reconnect ?? true;
    this.onError = opts.onError ?? (() => undefined);
    this.maxInFlight = Math.max(1, opts.maxConcurrentRequests ?? 32);
  }

  /** Opens the events WebSocket (which registers the Stasis app) and resolves once it is open. */
  static async connect(opts: AriClientOptions): Promise<AriClient> {
    const client = new AriClient(opts);
    await client.openSocket();
    return client;
  }

  /** A client for REST requests only: no events socket, so no Stasis app is registered. */
  static restOnly(opts: AriClientOptions): AriClient {
    return new AriClient({ ...opts, reconnect: false });
  }

  // ---- REST ---------------------------------------------------------------------------------

  /** POST /channels. The channel comes back 'Down'; StasisStart follows only if it answers. */
  async originate(p: OriginateParams): Promise<AriChannel> {
    const query: Query = {
      endpoint: p.endpoint,
      app: this.opts.app,
      appArgs: p.appArgs,
      callerId: p.callerId,
      timeout: p.timeoutSec,
      channelId: p.channelId,
    };
    // channels.json: "The 'variables' key in the body object holds variable key/value pairs".
    const body = p.variables ? { variables: p.variables } : undefined;
    return (await this.request<AriChannel>('POST', '/channels', query, body)).data as AriChannel;
  }

  /** The application this client registered: originates go into it, and dialplan that hands a
   * channel back (AMD, the operators' queue) needs its name. */
  get app(): string {
    return this.opts.app;
  }

  /** POST /channels/{id}/continue: leaves Stasis for the dialplan at context,extension,priority. */
  async continueInDialplan(id: string, to: { context: string; extension: string; priority?: number }): Promise<boolean> {
    const r = await this.request('POST', `/channels/${enc(id)}/continue`,
      { context: to.context, extension: to.extension, priority: to.priority ?? 1 }, undefined, true);
    return r.status !== 404;
  }

  /** POST /channels/{id}/variable: false when the channel is gone. */
  async setChannelVariable(id: string, variable: string, value: string): Promise<boolean> {
    const r = await this.request('POST', `/channels/${enc(id)}/variable`, { variable, value }, undefined, true);
    return r.status !== 404;
  }

  async getChannel(id: string): Promise<AriChannel | null> {
    const r = await this.request<AriChannel>('GET', `/channels/${enc(id)}`, undefined, undefined, true);
    return r.status === 404 ? null : (r.data as AriChannel);
  }

  /** DELETE /channels/{id}; false when the channel was already gone (404). */
  async hangup(id: string, reason?: AriHangupReason): Promise<boolean> {
    const r = await this.request('DELETE', `/channels/${enc(id)}`, { reason }, undefined, true);
    return r.status !== 404;
  }

  /** POST /channels/{id}/play; several media are played in order as one playback. */
  async play(channelId: string, media: string[], playbackId?: string): Promise<AriPlayback> {
    if (media.length === 0) throw new Error('play needs at least one media URI');
    // channels.json marks `media` allowMultiple: Asterisk splits the value on ','.
    const query: Query = { media: media.join(','), playbackId };
    const r = await this.request<AriPlayback>('POST', `/channels/${enc(channelId)}/play`, query);
    return r.data as AriPlayback;
  }

  /** DELETE /playbacks/{id}; false when the playback was already over (404). */
  async stopPlayback(id: string): Promise<boolean> {
    const r = await this.request('DELETE', `/playbacks/${enc(id)}`, undefined, undefined, true);
    return r.status !== 404;
  }

  /**
   * POST /channels/{id}/snoop: a channel of this app that hears the channel (spy 'both': what it
   * hears and what it says, mixed). It enters the app a moment after this answers (StasisStart),
   * and is hung up with the channel it snoops on. Null when that channel is gone.
   */
  async snoop(channelId: string, p: { snoopId: string; spy: 'in' | 'out' | 'both' }): Promise<AriChannel | null> {
    const r = await this.request<AriChannel>('POST', `/channels/${enc(channelId)}/snoop`,
      { spy: p.spy, app: this.opts.app, snoopId: p.snoopId }, undefined, true);
    return r.status === 404 ? null : (r.data as AriChannel);
  }

  /**
   * POST /channels/{id}/record: records what the channel hears into Asterisk's recording folder
   * as <name>.<format>, until the channel hangs up (or maxDurationSeconds). 409 while the channel
   * is not (yet) in the app; null when it is gone.
   */
  async record(channelId: string, p: { name: string; format: string; maxDurationSeconds?: number }): Promise<AriLiveRecording | null> {
    const r = await this.request<AriLiveRecording>('POST', `/channels/${enc(channelId)}/record`, {
      name: p.name, format: p.format, maxDurationSeconds: p.maxDurationSeconds, ifExists: 'overwrite', beep: 'false', terminateOn: 'none',
    }, undefined, true);
    return r.status === 404 ? null : (r.data as AriLiveRecording);
  }

  /** GET /recordings/live/{name}: null once it is over (Asterisk forgets it then). */
  async liveRecording(name: string): Promise<AriLiveRecording | null> {
    const r = await this.request<AriLiveRecording>('GET', `/recordings/live/${enc(name)}`, undefined, undefined, true);
    return r.status === 404 ? null : (r.data as AriLiveRecording);
  }

  /** POST /recordings/live/{name}/stop: ends it and keeps what was recorded; false when already over. */
  async stopRecording(name: string): Promise<boolean> {
    const r = await this.request('POST', `/recordings/live/${enc(name)}/stop`, undefined, undefined, true);
    return r.status !== 404;
  }

  /**
   * GET /recordings/stored/{name}/file: the stored file as a response whose body the caller
   * reads (a stream, not held in memory); null when there is no such recording. The signal
   * bounds the whole read, which may be long for a long call.
   */
  async storedRecordingFile(name: string, signal?: AbortSignal): Promise<Response | null> {
    const path = `/recordings/stored/${enc(name)}/file`;
    let res: Response;
    try {
      res = await fetch(this.restBase + path, { headers: { authorization: this.authHeader }, signal: signal ?? AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw toRequestError('GET', `/ari${path}`, this.timeoutMs, err);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (res.status >= 400) {
      const text = await res.text().catch(() => '');
      throw new AriHttpError('GET', `/ari${path}`, res.status, text.slice(0, 200) || undefined);
    }
    return res;
  }

  /** DELETE /recordings/stored/{name}; false when it was not there (404). */
  async deleteStoredRecording(name: string): Promise<boolean> {
    const r = await this.request('DELETE', `/recordings/stored/${enc(name)}`, undefined, undefined, true);
    return r.status !== 404;
  }

  /** GET /sounds?lang=: every prompt Asterisk's media index has in that language. */
  async sounds(lang: string): Promise<AriSound[]> {
    return (await this.request<AriSound[]>('GET', '/sounds', { lang })).data ?? [];
  }

  /** GET /endpoints/{tech}/{resource}: the endpoint and its state ('online', 'offline', 'unknown'); null when none. */
  async getEndpoint(tech: string, resource: string): Promise<AriEndpoint | null> {
    const r = await this.request<AriEndpoint>('GET', `/endpoints/${enc(tech)}/${enc(resource)}`, undefined, undefined, true);
    return r.status === 404 ? null : (r.data as AriEndpoint);
  }

  /**
   * POST /applications/{app}/subscription: this app also receives the events of `eventSource`
   * (e.g. 'endpoint:PJSIP/carrier' for EndpointStateChange), which subscribeAll=false leaves out.
   * A subscription lives as long as the app's WebSocket: subscribe again after a reconnect.
   */
  async subscribe(eventSource: string): Promise<void> {
    await this.request('POST', `/applications/${enc(this.opts.app)}/subscription`, { eventSource });
  }

  async asteriskInfo(): Promise<unknown> {
    return (await this.request('GET', '/asterisk/info')).data;
  }

  // ---- events -------------------------------------------------------------------------------

  /**
   * Events about one channel: those whose channel.id (Dial: peer.id) is it, and playback
   * events whose target_uri is 'channel:<id>'. The returned function removes the listener,
   * and the channel's entry once it has no listener left.
   */
  onChannel(channelId: string, listener: AriEventListener): () => void {
    let set = this.channelListeners.get(channelId);
    if (!set) {
      set = new Set();
      this.channelListeners.set(channelId, set);
    }
    set.add(listener);
    const owned = set;
    return () => {
      owned.delete(listener);
      if (owned.size === 0 && this.channelListeners.get(channelId) === owned) {
        this.channelListeners.delete(channelId);
      }
    };
  }

  onEvent(listener: AriEventListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * Called after the events WebSocket was reopened. Events sent while it was down are lost
   * (Asterisk does not replay them), so a caller waiting on a channel should re-read it.
   */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => void this.reconnectListeners.delete(listener);
  }

  /** Number of per-channel listeners registered, across all channels. */
  channelListenerCount(): number {
    let n = 0;
    for (const set of this.channelListeners.values()) n += set.size;
    return n;
  }

  isConnected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopPing();
    this.listeners.clear();
    this.channelListeners.clear();
    this.reconnectListeners.clear();
    const ws = this.ws;
    this.ws = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => { ws.terminate(); resolve(); }, 1000);
      ws.once('close', () => { clearTimeout(force); resolve(); });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  private async request<T = unknown>(
    method: string, path: string, query?: Query, body?: unknown, notFoundOk = false,
  ): Promise<{ status: number; data: T | undefined }> {
    let url = this.restBase + path;
    if (query) {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) qs.set(k, String(v));
      const s = qs.toString();
      if (s) url += `?${s}`;
    }
    const shownPath = `/ari${path}`;
    const headers: Record<string, string> = { authorization: this.authHeader, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    let text: string;
    // One signal covers the wait for a slot and the whole exchange, body included, so a server
    // that sends headers and then stalls still times out.
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      await this.acquireSlot(signal);
    } catch (err) {
      throw toRequestError(method, shownPath, this.timeoutMs, err);
    }
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      text = await res.text();
    } catch (err) {
      throw toRequestError(method, shownPath, this.timeoutMs, err);
    } finally {
      this.releaseSlot();
    }
    if (res.status === 404 && notFoundOk) return { status: 404, data: undefined };
    const data = text ? safeJson(text) : undefined;
    if (res.status >= 400) {
      const msg = data && typeof data === 'object' && 'message' in data
        ? String((data as { message: unknown }).message)
        : text.slice(0, 200) || undefined;
      throw new AriHttpError(method, shownPath, res.status, msg);
    }
    return { status: res.status, data: data as T | undefined };
  }

  // fetch opens one connection per concurrent request; a burst of hundreds of new connections
  // (one per call at WORKER_MAX_CONCURRENT_CALLS) stalls for seconds, so bursts queue here.
  private acquireSlot(signal: AbortSignal): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason);
      };
      this.waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot to the next waiter, if any, without giving it up. */
  private releaseSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  private openSocket(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.eventsUrl, { handshakeTimeout: this.timeoutMs });
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(err);
      };
      ws.once('unexpected-response', (req, res) => {
        // Asterisk answers a refused upgrade with an ordinary HTTP response: 401 with
        // {"message":"Authentication required"}, 400/404 for a bad app.
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => { if (raw.length < 1000) raw += c; });
        const done = (): void => {
          const parsed = safeJson(raw);
          const msg = parsed && typeof parsed === 'object' && 'message' in parsed
            ? String((parsed as { message: unknown }).message) : res.statusMessage;
          fail(new Error(`ARI events WebSocket ${this.eventsUrlShown} refused: HTTP ${res.statusCode}${msg ? ` (${msg})` : ''}`));
          req.destroy();
        };
        res.on('end', done);
        res.on('error', done);
      });
      ws.once('error', (err: Error & { code?: string }) => {
        fail(new Error(`ARI events WebSocket ${this.eventsUrlShown} failed: ${err.code ?? err.message}`, { cause: err }));
      });
      ws.once('open', () => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners();
        this.adopt(ws);
        resolve();
      });
    });
  }

  private adopt(ws: WebSocket): void {
    if (this.closed) { ws.terminate(); return; }
    this.ws = ws;
    this.reconnectAttempt = 0;
    // Only the current socket may deliver: an old one that lingers must not repeat events.
    ws.on('message', (data, isBinary) => {
      if (this.ws !== ws || isBinary) return;
      const e = safeJson(data.toString()) as AriEvent | undefined;
      if (e && typeof e === 'object' && typeof e.type === 'string') this.dispatch(e);
    });
    ws.on('pong', () => { this.pongPending = false; });
    ws.on('error', () => undefined); // 'close' follows; reconnecting happens there
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopPing();
      this.scheduleReconnect();
    });
    this.startPing(ws);
  }

  private scheduleReconnect(): void {
    if (this.closed || !this.reconnect || this.reconnectTimer) return;
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.reconnectAttempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectAttempt++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.openSocket().then(
        () => {
          if (this.closed) return;
          for (const l of [...this.reconnectListeners]) this.safeCall(() => l());
        },
        (err: Error) => { this.onError(err); this.scheduleReconnect(); },
      );
    }, delay);
  }

  // A half-open TCP connection gives no 'close'; a missing pong is how it is noticed.
  private startPing(ws: WebSocket): void {
    this.stopPing();
    this.pongPending = false;
    this.pingTimer = setInterval(() => {
      if (this.pongPending) { ws.terminate(); return; }
      this.pongPending = true;
      ws.ping();
    }, PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private dispatch(e: AriEvent): void {
    if (e.type === 'ApplicationReplaced') {
      // events.json: another WebSocket subscribed to this app and now gets its events; this
      // one stays open but silent, so say so rather than wait forever.
      this.onError(new Error(`ARI app '${this.opts.app}' was taken over by another WebSocket; this client gets no more events`));
    }
    for (const l of [...this.listeners]) this.safeCall(() => l(e));
    if (this.channelListeners.size === 0) return;
    const id = channelIdOf(e);
    // A Dial event concerns its caller too: the operators' queue dials an operator (peer) for
    // our subscriber (caller), and the subscriber's call needs to hear that the operator answered.
    const caller = e.type === 'Dial' ? (e.caller as { id?: string } | undefined)?.id : undefined;
    for (const target of caller && caller !== id ? [id, caller] : [id]) {
      const set = target === undefined ? undefined : this.channelListeners.get(target);
      if (!set) continue;
      for (const l of [...set]) this.safeCall(() => l(e));
    }
  }

  private safeCall(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function channelIdOf(e: AriEvent): string | undefined {
  if ('channel' in e && e.channel) return e.channel.id;
  if ('playback' in e && e.playback && typeof e.playback === 'object') {
    const target = (e.playback as AriPlayback).target_uri;
    return typeof target === 'string' && target.startsWith('channel:') ? target.slice(8) : undefined;
  }
  if ('peer' in e && e.peer) return e.peer.id;
  return undefined;
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toRequestError(method: string, path: string, timeoutMs: number, err: unknown): AriRequestError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new AriRequestError(method, path, true, `ARI ${method} ${path} timed out after ${timeoutMs} ms`, { cause: err });
  }
  const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new AriRequestError(method, path, false, `ARI ${method} ${path} failed: ${why}`, { cause: err });
}
