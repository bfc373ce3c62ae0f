import { promises as fsp } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

// What the sandbox's simulated subscriber heard: MixMonitor writes the receive side of the
// subscriber's half to <digits>-<channel id>_2.wav under the root that scripts/asterisk.sh makes.

export const RECORDINGS_DIR = process.env.ASTERISK_RECORDINGS_DIR
  ?? path.join(process.env.DIALER_CACHE ?? path.join(homedir(), '.cache', 'dialer'),
    'asterisk', 'root', 'var', 'spool', 'asterisk', 'sandbox');

export function recordingOf(digits: string, channelId: string): string {
  return path.join(RECORDINGS_DIR, `${digits}-${channelId}_2.wav`);
}

export interface Wav { sampleRate: number; channels: number; bits: number; samples: Int16Array; seconds: number }

/** Waits until FILE is a complete PCM WAV (header sizes written on close) and parses it. */
export async function waitForWav(file: string, ms: number): Promise<Wav> {
  const deadline = Date.now() + ms;
  let last = 'missing';
  for (;;) {
    try {
      const wav = parseWav(await fsp.readFile(file));
      if (wav) return wav;
      last = 'header not final';
    } catch (err) {
      last = (err as NodeJS.ErrnoException).code ?? String(err);
    }
    if (Date.now() > deadline) throw new Error(`recording ${file}: ${last} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function parseWav(buf: Buffer): Wav | null {
  if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return null;
  let off = 12;
  let fmt: { channels: number; sampleRate: number; bits: number } | null = null;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (buf.readUInt16LE(body) !== 1) throw new Error('not PCM');
      fmt = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!fmt || size === 0 || body + size > buf.length) return null;
      const samples = new Int16Array(buf.buffer.slice(buf.byteOffset + body, buf.byteOffset + body + size - (size % 2)));
      return { ...fmt, samples, seconds: samples.length / fmt.channels / fmt.sampleRate };
    }
    off = body + size + (size % 2);
  }
  return null;
}

/** Seconds of 20 ms frames whose RMS is above a quiet line's (300 of 32767). */
export function voicedSeconds(samples: Int16Array, rate: number): number {
  const frame = rate / 50;
  let voiced = 0;
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += samples[j] * samples[j];
    if (Math.sqrt(sum / frame) > 300) voiced++;
  }
  return voiced * 0.02;
}
