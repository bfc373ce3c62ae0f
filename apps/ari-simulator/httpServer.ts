/**
 * The HTTP side: authentication, the routes, and the upgrade of GET /ari/events to the event
 * hub's WebSocket.
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
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ariTime, ASTERISK_ID } from './asteriskFormats';
import type { Channels } from './channels';
import type { Dialplan } from './dialplan';
import type { EventHub } from './eventHub';
import { HttpFailure } from './httpFailure';
import type { Playbacks } from './playbacks';

const STARTED_AT = Date.now();

export interface HttpDeps {
  username: string;
  password: string;
  hub: EventHub;
  channels: Channels;
  playbacks: Playbacks;
  dialplan: Dialplan;
  /** GET /_sim/stats and POST /_sim/reset. */
  stats: () => unknown;
  resetStats: () => void;
}

export class HttpServer {
  private readonly server: http.Server;
  private readonly credentials: string;
  private readonly basicHeader: string;

  constructor(private readonly deps: HttpDeps) {
    this.credentials = `${deps.username}:${deps.password}`;
    this.basicHeader = `Basic ${Buffer.from(this.credentials).toString('base64')}`;
    this.server = http.createServer((req, res) => this.handleHttp(req, res));
    this.server.keepAliveTimeout = 30_000;
    this.server.on('upgrade', (req, socket, head) => this.handleUpgrade(req, socket as Socket, head));
  }

  /** Listens and answers the base URL, http://host:port. */
  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${shown}:${addr.port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

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
    this.deps.hub.accept(req, socket, head, apps);
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
    const { channels, playbacks, dialplan } = this.deps;
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;

    if (path === '/_sim/stats' && method === 'GET') return reply(res, 200, this.deps.stats());
    if (path === '/_sim/reset' && method === 'POST') { this.deps.resetStats(); return reply(res, 204); }

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
        if (method === 'GET') return reply(res, 200, channels.list());
        if (method === 'POST') return reply(res, 200, channels.originate(q, await readJson(req), undefined));
        throw new HttpFailure(405, 'Invalid method');
      }
      if (action === undefined) {
        if (method === 'GET') return reply(res, 200, channels.get(id).snap);
        if (method === 'POST') return reply(res, 200, channels.originate(q, await readJson(req), id));
        if (method === 'DELETE') { channels.appHangup(id, q); return reply(res, 204); }
        throw new HttpFailure(405, 'Invalid method');
      }
      if (action === 'answer' && method === 'POST' && sub === undefined) {
        channels.controllable(id);
        return reply(res, 204);
      }
      if (action === 'continue' && method === 'POST' && sub === undefined) {
        dialplan.continueInDialplan(id, q);
        return reply(res, 204);
      }
      if (action === 'variable' && sub === undefined) {
        if (method === 'POST') { channels.setVariable(id, q); return reply(res, 204); }
        if (method === 'GET') return reply(res, 200, { value: channels.getVariable(id, q) });
        throw new HttpFailure(405, 'Invalid method');
      }
      if (action === 'play' && method === 'POST') {
        const pb = playbacks.play(channels.controllable(id), q, sub ?? q.get('playbackId') ?? undefined);
        res.setHeader('Location', `/playbacks/${encodeURIComponent(pb.id)}`);
        return reply(res, 201, pb);
      }
    } else if (resource === 'playbacks' && id && action === undefined) {
      const p = playbacks.get(id);
      if (!p) throw new HttpFailure(404, 'Playback not found');
      if (method === 'GET') return reply(res, 200, p.pb);
      if (method === 'DELETE') { playbacks.stop(p); return reply(res, 204); }
      throw new HttpFailure(405, 'Invalid method');
    } else if (resource === 'asterisk' && id === 'info' && method === 'GET') {
      return reply(res, 200, info());
    }
    throw new HttpFailure(404, 'Resource not found');
  }
}

function info(): unknown {
  return {
    build: { os: process.platform, kernel: '', options: '', machine: process.arch, date: '', user: '' },
    system: { version: 'sim', entity_id: ASTERISK_ID },
    config: { name: 'ari-simulator', default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: ariTime(STARTED_AT), last_reload_time: ariTime(STARTED_AT) },
  };
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
