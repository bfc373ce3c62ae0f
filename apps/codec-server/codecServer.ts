import type { PayloadCodec } from '@temporalio/common';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import { principalOfKey, principalOfSession, writeAudit, type Principal } from '../../adapters/postgres/apiAccess';
import { PayloadDecryptionError } from '../../adapters/temporal/payloadCodec';
import { sha256 } from '../../common/apiSecrets';
import { createLogger } from '../../common/logger';
import { BadBody, jsonOf, payloadsOf } from './codecProtocol';
import { loginPage, signedInPage } from './loginPage';

// The codec server: the Temporal UI and CLI send it a history's encrypted payloads and show what
// it answers. It opens them for the API's admins only (an admin API key or an admin's session,
// as the API checks them: revoked keys and ended sessions stop working at once), and every
// answer is an audit row (who, which namespace, how many payloads; never their contents).
//
// The CLI sends `Authorization: Bearer <key>` (--codec-auth); a browser cannot add a header to
// the UI's requests, so an admin signs in once at GET /login, which sets an HttpOnly cookie
// holding the same credential, and the UI's "include cross-origin credentials" sends it.

const log = createLogger('codec-server');

export const COOKIE = 'dialer_codec';
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const SESSION_SECONDS = 12 * 3600;

export interface CodecServerOptions {
  codec: PayloadCodec;
  pool: Pool;
  /** The Temporal namespace whose payloads it serves (the X-Namespace header must name it). */
  namespace: string;
  /** Browser origins allowed to call it: the Temporal UI's. */
  origins: readonly string[];
  host: string;
  port: number;
  /** Cookies for a UI on another site: `SameSite=None; Secure` (needs HTTPS in front). */
  crossSiteCookie?: boolean;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

class Refusal extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const server = createServer((req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      const status = err instanceof Refusal ? err.status : err instanceof BadBody || err instanceof PayloadDecryptionError ? 400 : 500;
      if (status === 500) log.error({ err: err instanceof Error ? err.message : String(err), path: req.url }, 'request failed');
      send(res, status, { error: status === 500 ? 'internal error' : (err as Error).message });
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    }),
  };
}

async function handle(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://codec').pathname;
  allowOrigin(options, req, res);
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type, x-namespace, authorization',
      'access-control-max-age': '600',
    }).end();
    return;
  }
  if (path === '/login' && req.method === 'GET') return html(res, 200, loginPage());
  if (path === '/login' && req.method === 'POST') return signIn(options, req, res);
  if (path === '/logout' && req.method === 'POST') {
    res.setHeader('set-cookie', cookie(options, '', 0));
    return html(res, 200, loginPage('Signed out.'));
  }
  if (path !== '/decode' && path !== '/encode') throw new Refusal(404, 'POST /decode or /encode (GET /login to sign in for the Temporal UI)');
  if (req.method !== 'POST') throw new Refusal(405, `${path} takes POST`);

  const admin = await adminOf(options.pool, credentialOf(req));
  // The UI names its namespace; the CLI sends the header empty.
  const namespace = req.headers['x-namespace'];
  if (namespace && namespace !== options.namespace) {
    throw new Refusal(403, `this codec server serves the namespace ${options.namespace}, not ${String(namespace)}`);
  }
  const payloads = payloadsOf(await jsonBody(req));
  const action = path === '/decode' ? 'decode' : 'encode';
  const out = action === 'decode' ? await options.codec.decode(payloads) : await options.codec.encode(payloads);
  await writeAudit(options.pool, {
    actor: `${admin.kind}:${admin.name}`, action: `codec.${action}`, entity: 'temporal_namespace', entityId: options.namespace,
    details: { payloads: payloads.length }, source: req.socket.remoteAddress ?? null,
  });
  send(res, 200, jsonOf(out));
}

/** A browser's request from an allowed origin may read the answer (with its cookie); any other origin is refused. */
function allowOrigin(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('vary', 'Origin');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  if (!options.origins.includes(origin)) throw new Refusal(403, `origin ${origin} is not allowed (CODEC_SERVER_CORS_ORIGINS)`);
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-credentials', 'true');
}

function credentialOf(req: IncomingMessage): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE && value.length > 0) return decodeURIComponent(value.join('='));
  }
  return null;
}

/** The admin a credential belongs to: none → 401, another role → 403. */
async function adminOf(pool: Pool, credential: string | null): Promise<Principal> {
  const principal = credential === null ? null
    : credential.startsWith('dk_') ? await principalOfKey(pool, sha256(credential))
    : credential.startsWith('ds_') ? await principalOfSession(pool, sha256(credential))
    : null;
  if (!principal) throw new Refusal(401, 'send an admin API key or session token: Authorization: Bearer <dk_… or ds_…>, or sign in at /login');
  if (principal.role !== 'admin') throw new Refusal(403, `the ${principal.role} role may not read encrypted payloads (admin only)`);
  return principal;
}

async function signIn(options: CodecServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = new URLSearchParams(await textBody(req)).get('token')?.trim() ?? '';
  try {
    await adminOf(options.pool, token || null);
  } catch (err) {
    if (err instanceof Refusal) return html(res, err.status, loginPage(err.message));
    throw err;
  }
  res.setHeader('set-cookie', cookie(options, token, SESSION_SECONDS));
  html(res, 200, signedInPage(options.origins));
}

function cookie(options: CodecServerOptions, value: string, maxAge: number): string {
  const site = options.crossSiteCookie ? 'SameSite=None; Secure' : 'SameSite=Strict';
  return `${COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; ${site}; Max-Age=${maxAge}`;
}

async function textBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Refusal(413, `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await textBody(req);
  try {
    return JSON.parse(text);
  } catch {
    throw new BadBody('the body is not JSON: { "payloads": [...] }');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function html(res: ServerResponse, status: number, page: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  }).end(page);
}
