import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SPEECH_LANGUAGE, type SpeechProviderName, type SpeechSettings } from '../../domain/speechSettings';
import {
  countSpeechRequest, speechCacheBytes, speechCacheEvictionsTotal, speechCacheHitsTotal, speechCacheMissesTotal,
} from '../metrics/dialerMetrics';
import {
  BYTES_PER_MS, SpeechRejectedError, SpeechUnavailableError, type AudioRef, type AudioStore, type SpeechProvider,
} from './speechPort';

// The speech cache: content-addressed slin files in a folder Asterisk reads, played as
// sound:<mediaPrefix>/<key> (Asterisk finds <key>.sln itself). A key is the sha256 of what made
// the audio: [provider, voice, speed, emotion, language, text] for speech, the PCM itself for
// uploads and assembled messages. So a text in one voice is synthesised once, whoever asks.
//
// Files are written to a temporary name and renamed, so Asterisk never opens half a file. The
// folder is kept under maxBytes by removing the least recently used files, but never one used
// within minAgeMs: a message prepared for a call must still be there when the call plays it.
// A hit touches the file (its mtime is its last use). Several workers may share the folder:
// each counts it anew before evicting.

const SLN = '.sln';
const CLIP_FOLDER = 'clips';
const KEY = /^[0-9a-f]{64}$/;
/** Eviction goes below the limit by this share, so that it does not run at every write. */
const EVICTION_HEADROOM = 0.1;
/** Temporary files older than this were left by a crashed write. */
const STALE_TMP_MS = 10 * 60 * 1000;

export interface AudioStoreOptions {
  dir: string;
  /** sound:<mediaPrefix>/<key>: relative to Asterisk's sounds folder, or absolute. */
  mediaPrefix: string;
  maxBytes: number;
  /** A file used this recently is never evicted (default an hour). */
  minAgeMs?: number;
  providers: Partial<Record<SpeechProviderName, SpeechProvider>>;
  now?: () => number;
}

export interface FileAudioStore extends AudioStore {
  /** The URI a call plays a stored key by. */
  media(key: string): string;
  /** The key speak() stores the text under (for tests and tools). */
  speechKey(settings: SpeechSettings, text: string): string;
  /** Removes the oldest files above the limit now; the number removed. */
  evict(): Promise<number>;
  /** Bytes in the folder, as last counted. */
  bytes(): Promise<number>;
}

export function speechKey(settings: SpeechSettings, text: string): string {
  const made = [settings.provider, settings.voice ?? null, settings.speed, settings.emotion ?? null, SPEECH_LANGUAGE, text];
  return sha256(JSON.stringify(made));
}

export function createAudioStore(opts: AudioStoreOptions): FileAudioStore {
  const minAgeMs = opts.minAgeMs ?? 60 * 60 * 1000;
  const now = opts.now ?? Date.now;
  const prefix = opts.mediaPrefix.replace(/\/+$/, '');
  const pending = new Map<string, Promise<AudioRef>>();
  let ready: Promise<void> | null = null;
  let total: number | null = null;
  let evicting: Promise<number> | null = null;

  const path = (key: string) => join(opts.dir, key + SLN);
  // Uploaded clips are the only copy of what a template version pinned: kept in a folder of
  // their own that eviction never lists (synthesised pieces can be made again; a clip cannot).
  const clipDir = join(opts.dir, CLIP_FOLDER);
  const clipPath = (key: string) => join(clipDir, key + SLN);
  const ensureDir = () => (ready ??= mkdir(opts.dir, { recursive: true }).then(() => undefined));
  /** A piece's PCM: a synthesised or assembled piece, else an uploaded clip; null when neither. */
  const readPiece = async (key: string): Promise<Buffer | null> =>
    (await readOrNull(path(key))) ?? readOrNull(clipPath(key));

  /** A synthesised or assembled piece, touched as used now (its mtime is its last use); null when absent. */
  const touch = async (key: string): Promise<AudioRef | null> => {
    try {
      const s = await stat(path(key));
      const t = new Date(now());
      await utimes(path(key), t, t);
      return { key, bytes: s.size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };
  /** An uploaded clip; null when absent. Never touched: eviction does not list clips. */
  const clip = async (key: string): Promise<AudioRef | null> => {
    const s = await stat(clipPath(key)).catch(() => null);
    return s ? { key, bytes: s.size } : null;
  };

  /** Writes `pcm` as <key>.sln in `folder` through a temporary name there, so no reader sees half of it. */
  const writeWhole = async (folder: string, key: string, pcm: Buffer): Promise<void> => {
    const tmp = join(folder, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, pcm, { mode: 0o644 });
    await rename(tmp, join(folder, key + SLN));
  };

  const store = async (key: string, pcm: Buffer): Promise<AudioRef> => {
    await ensureDir();
    // Made meanwhile by another worker; or, for a message of one clip, that clip itself.
    const existing = (await clip(key)) ?? (await touch(key));
    if (existing) return existing;
    await writeWhole(opts.dir, key, pcm);
    await grow(pcm.length);
    return { key, bytes: pcm.length };
  };

  const grow = async (bytes: number): Promise<void> => {
    total = (total ?? (await countFolder())) + bytes;
    speechCacheBytes.set(total);
    if (total > opts.maxBytes) await evict();
  };

  const countFolder = async (): Promise<number> => {
    let sum = 0;
    for (const f of await listFiles()) sum += f.size;
    return sum;
  };

  const listFiles = async (): Promise<{ name: string; size: number; mtimeMs: number }[]> => {
    await ensureDir();
    const out: { name: string; size: number; mtimeMs: number }[] = [];
    for (const name of await readdir(opts.dir)) {
      const isAudio = name.endsWith(SLN);
      const isTmp = name.startsWith('.') && name.endsWith('.tmp');
      if (!isAudio && !isTmp) continue;
      try {
        const s = await stat(join(opts.dir, name));
        if (isTmp) {
          if (now() - s.mtimeMs > STALE_TMP_MS) await unlink(join(opts.dir, name)).catch(() => undefined);
          continue;
        }
        out.push({ name, size: s.size, mtimeMs: s.mtimeMs });
      } catch {
        // Removed meanwhile (another worker's eviction).
      }
    }
    return out;
  };

  const evictNow = async (): Promise<number> => {
    const files = await listFiles();
    let sum = files.reduce((a, f) => a + f.size, 0);
    const target = opts.maxBytes * (1 - EVICTION_HEADROOM);
    let removed = 0;
    files.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const f of files) {
      if (sum <= target) break;
      const file = join(opts.dir, f.name);
      try {
        // Asked again since the listing: it stays.
        const s = await stat(file);
        if (now() - s.mtimeMs < minAgeMs) continue;
        await unlink(file);
        sum -= s.size;
        removed++;
      } catch {
        // Gone already.
      }
    }
    if (removed) speechCacheEvictionsTotal.inc(removed);
    total = sum;
    speechCacheBytes.set(sum);
    return removed;
  };

  const evict = (): Promise<number> => {
    evicting ??= evictNow().finally(() => {
      evicting = null;
    });
    return evicting;
  };

  const synthesizeAndStore = async (key: string, settings: SpeechSettings, text: string): Promise<AudioRef> => {
    const provider = opts.providers[settings.provider];
    if (!provider) throw new SpeechRejectedError(`no speech provider '${settings.provider}' is configured on this worker`);
    let pcm: Buffer;
    try {
      // No caller's signal here: the request is shared by every caller asking for this key; each
      // caller stops waiting on its own signal, and the provider's own timeout ends the request.
      pcm = await provider.synthesize({ text, settings });
    } catch (err) {
      countSpeechRequest(provider.name, err instanceof SpeechRejectedError ? 'rejected' : 'unavailable');
      throw err;
    }
    countSpeechRequest(provider.name, 'ok');
    if (pcm.length < 2 || pcm.length % 2) throw new SpeechUnavailableError(`${provider.name} gave ${pcm.length} bytes of audio, not whole 16-bit samples`);
    return store(key, pcm);
  };

  const self: FileAudioStore = {
    async speak(settings, text, signal) {
      const key = speechKey(settings, text);
      let shared = pending.get(key);
      if (!shared) {
        shared = (async () => {
          // A speech key is never a clip's (those are keys of PCM): one stat and a touch.
          const hit = await touch(key);
          if (hit) {
            speechCacheHitsTotal.inc();
            return hit;
          }
          speechCacheMissesTotal.inc();
          return synthesizeAndStore(key, settings, text);
        })().finally(() => pending.delete(key));
        pending.set(key, shared);
      }
      return untilAborted(shared, signal);
    },

    async cached(settings, text) {
      // A hit like speak's (touched, counted); a miss is not counted here: the prepare activity
      // that follows asks speak, which counts it once.
      const hit = await touch(speechKey(settings, text));
      if (hit) speechCacheHitsTotal.inc();
      return hit;
    },

    async put(pcm) {
      if (pcm.length < 2 || pcm.length % 2) throw new Error(`not 16-bit PCM: ${pcm.length} bytes`);
      await mkdir(clipDir, { recursive: true });
      const key = sha256(pcm);
      const existing = await clip(key);
      if (existing) return existing;
      await writeWhole(clipDir, key, pcm);
      return { key, bytes: pcm.length };
    },

    async find(key) {
      if (!KEY.test(key)) return null;
      return (await clip(key)) ?? statOrNull(path(key), key);
    },

    async assemble(pieces) {
      if (pieces.length === 0) throw new Error('a message needs at least one piece of audio');
      const parts: Buffer[] = [];
      for (const piece of pieces) {
        const pcm = KEY.test(piece.key) ? await readPiece(piece.key) : null;
        // Evicted between its synthesis and now (it should not be, within minAgeMs): preparing
        // again synthesises it again.
        if (!pcm) throw new SpeechUnavailableError(`the audio piece ${piece.key} is no longer in the speech cache`);
        parts.push(pcm);
      }
      const pcm = Buffer.concat(parts);
      const ref = await store(sha256(pcm), pcm);
      return { key: ref.key, media: self.media(ref.key), durationMs: Math.round(pcm.length / BYTES_PER_MS) };
    },

    async read(key) {
      if (!KEY.test(key)) return null;
      return readPiece(key);
    },

    async forget(key) {
      if (!KEY.test(key)) return false;
      try {
        const s = await stat(path(key));
        await unlink(path(key));
        if (total !== null) total -= s.size;
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw err;
      }
    },

    media: (key) => `sound:${prefix}/${key}`,
    speechKey,
    evict,
    async bytes() {
      total ??= await countFolder();
      return total;
    },
  };
  return self;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function statOrNull(file: string, key: string): Promise<AudioRef | null> {
  try {
    return { key, bytes: (await stat(file)).size };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The promise, or the signal's abort as a SpeechUnavailableError, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new SpeechUnavailableError('the speech request was cancelled'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SpeechUnavailableError('the speech request was cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
