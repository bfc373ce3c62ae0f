import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The SIP carrier of the trunk tests: SIPp behind the production PJSIP trunk of the sandbox
// Asterisk (scripts/sipp.sh). It needs the Asterisk that scripts/asterisk.sh runs in its chroot
// (npm test starts it and sets ASTERISK_ARI_URL), and root, as that script does.

const REPO = path.resolve(__dirname, '../..');
const MANAGED_ARI = `http://127.0.0.1:${process.env.DIALER_ASTERISK_ARI_PORT ?? '8089'}`;

/** Why the trunk tests cannot run here, or null when they can. */
export function carrierUnavailable(): string | null {
  if (!process.env.ASTERISK_ARI_URL) return 'no ASTERISK_ARI_URL (npm test starts Asterisk and sets it)';
  if (process.env.ASTERISK_ARI_URL.replace(/\/$/, '') !== MANAGED_ARI) return 'ASTERISK_ARI_URL is not the sandbox Asterisk of scripts/asterisk.sh';
  if (process.getuid?.() !== 0) return 'scripts/sipp.sh renders the trunk into the Asterisk chroot: run as root';
  return null;
}

const LOCK_DIR = path.join(process.env.DIALER_CACHE ?? path.join(os.homedir(), '.cache/dialer'), 'run/sipp-carrier.lock.d');

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
};

/**
 * The carrier is one SIPp behind one trunk, and a test file may silence it: jest runs test files
 * in parallel processes, so each file that uses it holds it until it is done. Returns the release.
 * A holder that died leaves its lock behind: a lock whose process is gone is taken over.
 */
export async function holdCarrier(timeoutMs = 10 * 60_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR, { recursive: false });
      writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = NaN;
    try { holder = Number(readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8')); } catch { /* being written, or gone */ }
    const stale = Number.isInteger(holder) ? !alive(holder) : ageMs(LOCK_DIR) > 10_000;
    if (stale) rmSync(LOCK_DIR, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`the SIP carrier is held by process ${holder} for over ${timeoutMs} ms (${LOCK_DIR})`);
    else await new Promise((r) => setTimeout(r, 250));
  }
}

function ageMs(p: string): number {
  try { return Date.now() - statSync(p).mtimeMs; } catch { return 0; }
}

export interface Carrier {
  /** For ARI_ENDPOINT_TEMPLATE / a trunk row: PJSIP/{number}@carrier. */
  endpointTemplate: string;
  /** The trunk's ARI endpoint, PJSIP/carrier. */
  endpoint: string;
}

/** (Re)starts the carrier answering (every call by its number) or silent (a dead trunk). */
export function startCarrier(mode: 'answering' | 'silent'): Carrier {
  const out = execFileSync('bash', [path.join(REPO, 'scripts/sipp.sh'), 'start', mode], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const value = (key: string): string => {
    const line = out.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`scripts/sipp.sh start printed no ${key}`);
    return line.slice(key.length + 1);
  };
  return { endpointTemplate: value('TRUNK_ENDPOINT_TEMPLATE'), endpoint: value('TRUNK_ENDPOINT') };
}

export function stopCarrier(): void {
  execFileSync('bash', [path.join(REPO, 'scripts/sipp.sh'), 'stop'], { stdio: 'ignore' });
}

const ariAuth = (): string => `Basic ${Buffer.from(`${process.env.ARI_USERNAME}:${process.env.ARI_PASSWORD}`).toString('base64')}`;

/** The trunk's endpoint state as ARI reports it ('online', 'offline', 'unknown'). */
export async function endpointState(endpoint: string): Promise<string | undefined> {
  const res = await fetch(`${process.env.ASTERISK_ARI_URL}/ari/endpoints/${endpoint}`, { headers: { authorization: ariAuth() } });
  return res.ok ? ((await res.json()) as { state?: string }).state : undefined;
}

/** Waits (up to `ms`) until the endpoint is in `state`: qualify runs every few seconds here. */
export async function untilEndpoint(endpoint: string, state: 'online' | 'offline', ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const now = await endpointState(endpoint);
    if (now === state) return;
    if (Date.now() > deadline) throw new Error(`${endpoint} is still ${now} after ${ms} ms, not ${state}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Fresh subscriber numbers whose last three digits tell the carrier how to answer (test/trunk/README.md). */
export function carrierNumber(answer: string): string {
  return `+7999${String(Math.floor(1_000_000 + Math.random() * 8_999_999))}${answer}`;
}

/** RTP packets Asterisk received on a channel (GET /channels/{id}/rtp_statistics). */
export async function rtpReceived(channelId: string): Promise<number | null> {
  const res = await fetch(`${process.env.ASTERISK_ARI_URL}/ari/channels/${encodeURIComponent(channelId)}/rtp_statistics`,
    { headers: { authorization: ariAuth() } });
  return res.ok ? ((await res.json()) as { rxcount: number }).rxcount : null;
}

const ASTERISK_ROOT = path.join(process.env.DIALER_CACHE ?? path.join(os.homedir(), '.cache/dialer'), 'asterisk/root');

/** An Asterisk CLI command in the sandbox's root (what scripts/asterisk.sh runs). */
export function asteriskCli(command: string): string {
  return execFileSync('chroot', [ASTERISK_ROOT, '/usr/sbin/asterisk', '-rx', command], { encoding: 'utf8', timeout: 10_000 });
}

/** Sends the trunk's REGISTER now and waits (up to `ms`) until Asterisk shows it Registered. */
export async function untilRegistered(ms = 15_000): Promise<string> {
  asteriskCli('pjsip send register carrier');
  const deadline = Date.now() + ms;
  for (;;) {
    const line = asteriskCli('pjsip show registrations').split('\n').find((l) => l.includes('carrier/')) ?? '';
    if (/\bRegistered\b/.test(line)) return line.trim();
    if (Date.now() > deadline) throw new Error(`the trunk's registration is not Registered after ${ms} ms: ${line.trim()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
