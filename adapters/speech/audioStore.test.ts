import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SPEECH, type SpeechSettings } from '../../domain/speechSettings';
import { registry } from '../metrics/registry';
import { createAudioStore, type FileAudioStore } from './audioStore';
import { rms } from './audioTesting';
import { createOfflineVoice } from './offlineVoice';
import { BYTES_PER_MS, SpeechRejectedError, SpeechUnavailableError, type SpeechProvider, type SynthesisRequest } from './speechPort';

// The store on a real folder. Its provider here is a counting one that makes a tone whose
// length follows the text (what the store does with audio does not depend on what it says);
// one test speaks through the real offline voice.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'speech-cache-'));
  registry.resetMetrics();
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** A provider that answers 100 ms of tone per character after `delayMs`, counting its calls. */
function toneProvider(delayMs = 0): SpeechProvider & { calls: SynthesisRequest[]; fail?: Error } {
  const provider = {
    name: 'offline' as const,
    calls: [] as SynthesisRequest[],
    fail: undefined as Error | undefined,
    async synthesize(req: SynthesisRequest) {
      provider.calls.push(req);
      await new Promise((r) => setTimeout(r, delayMs));
      if (provider.fail) throw provider.fail;
      const pcm = Buffer.alloc(req.text.length * 100 * BYTES_PER_MS);
      for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(6000 * Math.sin(i / 3)), i * 2);
      return pcm;
    },
  };
  return provider;
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await registry.getSingleMetric(name)!.get();
  return m.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}

const settings: SpeechSettings = DEFAULT_SPEECH;

describe('the audio store', () => {
  let provider: ReturnType<typeof toneProvider>;
  let store: FileAudioStore;
  beforeEach(() => {
    provider = toneProvider(50);
    store = createAudioStore({ dir, mediaPrefix: 'dialer-speech/', maxBytes: 10 * 1024 * 1024, providers: { offline: provider } });
  });

  it('synthesises a text once however many ask at the same time, then serves it from the folder', async () => {
    const refs = await Promise.all(Array.from({ length: 10 }, () => store.speak(settings, 'Здравствуйте')));
    expect(provider.calls).toHaveLength(1);
    expect(new Set(refs.map((r) => r.key)).size).toBe(1);
    expect(refs[0]).toEqual({ key: store.speechKey(settings, 'Здравствуйте'), bytes: 12 * 100 * BYTES_PER_MS });
    expect(await metric('dialer_speech_cache_misses_total')).toBe(1);
    expect(await metric('dialer_speech_requests_total', { provider: 'offline', result: 'ok' })).toBe(1);

    await store.speak(settings, 'Здравствуйте');
    expect(provider.calls).toHaveLength(1);
    expect(await metric('dialer_speech_cache_hits_total')).toBe(1);
    // Another voice, speed or text is another key.
    await store.speak({ ...settings, speed: 1.2 }, 'Здравствуйте');
    await store.speak(settings, 'Здравствуйте!');
    expect(provider.calls).toHaveLength(3);
    expect((await readdir(dir)).sort()).toEqual((await Promise.all([
      store.speechKey(settings, 'Здравствуйте'), store.speechKey({ ...settings, speed: 1.2 }, 'Здравствуйте'), store.speechKey(settings, 'Здравствуйте!'),
    ])).map((k) => `${k}.sln`).sort());
  });

  it('cached() finds what speak() stored and never asks the provider for what it did not', async () => {
    expect(await store.cached(settings, 'Здравствуйте')).toBeNull();
    expect(provider.calls).toHaveLength(0);
    expect(await metric('dialer_speech_cache_misses_total')).toBe(0);
    const spoken = await store.speak(settings, 'Здравствуйте');
    const old = new Date(Date.now() - 3600_000);
    await utimes(join(dir, `${spoken.key}.sln`), old, old);
    expect(await store.cached(settings, 'Здравствуйте')).toEqual(spoken);
    expect(await store.cached({ ...settings, speed: 1.2 }, 'Здравствуйте')).toBeNull();
    expect(provider.calls).toHaveLength(1);
    expect(await metric('dialer_speech_cache_hits_total')).toBe(1);
    // A hit is a use, as speak's is: eviction keeps it.
    expect((await stat(join(dir, `${spoken.key}.sln`))).mtimeMs).toBeGreaterThan(old.getTime() + 1000);
  });

  it('touches a file it serves: its last use is its mtime', async () => {
    const ref = await store.speak(settings, 'Тест');
    const old = new Date(Date.now() - 3 * 3600_000);
    await utimes(join(dir, `${ref.key}.sln`), old, old);
    await store.speak(settings, 'Тест');
    expect(Date.now() - (await stat(join(dir, `${ref.key}.sln`))).mtimeMs).toBeLessThan(60_000);
  });

  it('assembles pieces into one file: their concatenation, its duration, a media URI without extension', async () => {
    const a = await store.speak(settings, 'Один');
    const b = await store.put(Buffer.alloc(250 * BYTES_PER_MS, 1));
    const message = await store.assemble([a, b, a]);
    expect(message.durationMs).toBe(400 + 250 + 400);
    expect(message.media).toBe(`sound:dialer-speech/${message.key}`);
    const pcm = await store.read(message.key);
    expect(pcm!.equals(Buffer.concat([(await store.read(a.key))!, (await store.read(b.key))!, (await store.read(a.key))!]))).toBe(true);
    // The same pieces again: the same content key, no second file.
    expect((await store.assemble([a, b, a])).key).toBe(message.key);
    expect(await store.find(message.key)).toEqual({ key: message.key, bytes: pcm!.length });
  });

  it('refuses a missing piece as unavailable (preparing again makes it anew), and unknown keys are absent', async () => {
    await expect(store.assemble([{ key: 'f'.repeat(64), bytes: 2 }])).rejects.toThrow(SpeechUnavailableError);
    expect(await store.find('../../etc/passwd')).toBeNull();
    expect(await store.read('f'.repeat(64))).toBeNull();
  });

  it('counts a refusal and an outage by result, and stores nothing for them', async () => {
    provider.fail = new SpeechRejectedError('SpeechKit v3 answered 401');
    await expect(store.speak(settings, 'А')).rejects.toThrow(SpeechRejectedError);
    provider.fail = new SpeechUnavailableError('SpeechKit v3 answered 429', 429);
    await expect(store.speak(settings, 'А')).rejects.toThrow(SpeechUnavailableError);
    expect(await metric('dialer_speech_requests_total', { provider: 'offline', result: 'rejected' })).toBe(1);
    expect(await metric('dialer_speech_requests_total', { provider: 'offline', result: 'unavailable' })).toBe(1);
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a provider the worker does not have, naming it', async () => {
    await expect(store.speak({ ...settings, provider: 'speechkit-v3' }, 'А')).rejects.toThrow(new SpeechRejectedError("no speech provider 'speechkit-v3' is configured on this worker"));
  });

  it('lets a caller stop waiting without cancelling the others', async () => {
    const abort = new AbortController();
    const first = store.speak(settings, 'Долго', abort.signal);
    const second = store.speak(settings, 'Долго');
    abort.abort();
    await expect(first).rejects.toThrow(/cancelled/);
    await expect(second).resolves.toMatchObject({ bytes: 5 * 100 * BYTES_PER_MS });
  });
});

describe('eviction', () => {
  it('removes the least recently used files above the limit, never one used within minAgeMs', async () => {
    const provider = toneProvider();
    // Each 10-character text is 1 s = 16 000 bytes; the limit holds four.
    const store = createAudioStore({ dir, mediaPrefix: dir, maxBytes: 4 * 16_000, minAgeMs: 60_000, providers: { offline: provider } });
    const texts = ['0123456789', 'abcdefghij', 'klmnopqrst', 'uvwxyzабвг'];
    const refs = [];
    for (const t of texts) refs.push(await store.speak(settings, t));
    // Three of them were last used two hours ago, the oldest first; the last one just now.
    for (const [i, ref] of refs.slice(0, 3).entries()) {
      const t = new Date(Date.now() - 2 * 3600_000 + i * 1000);
      await utimes(join(dir, `${ref.key}.sln`), t, t);
    }
    await store.speak(settings, 'дежзийклмн'); // the fifth: over the limit
    const left = new Set((await readdir(dir)).map((f) => f.replace('.sln', '')));
    // Down to 90 % of the limit: the two oldest go, the recent ones stay.
    expect(left.has(refs[0]!.key)).toBe(false);
    expect(left.has(refs[1]!.key)).toBe(false);
    expect(left.has(refs[2]!.key)).toBe(true);
    expect(left.has(refs[3]!.key)).toBe(true);
    expect(await metric('dialer_speech_cache_evictions_total')).toBe(2);
    expect(await metric('dialer_speech_cache_bytes')).toBe(3 * 16_000);
  });

  it('never evicts an uploaded clip: it is the only copy of what a template version pinned', async () => {
    const store = createAudioStore({ dir, mediaPrefix: dir, maxBytes: 16_000, minAgeMs: 0, providers: { offline: toneProvider() } });
    const clip = await store.put(Buffer.alloc(20_000, 3));
    for (const t of ['0123456789', 'abcdefghij', 'klmnopqrst']) await store.speak(settings, t);
    await store.evict();
    expect(await store.find(clip.key)).toEqual(clip);
    expect((await store.read(clip.key))!.equals(Buffer.alloc(20_000, 3))).toBe(true);
  });

  it('keeps files used within minAgeMs even above the limit', async () => {
    const store = createAudioStore({ dir, mediaPrefix: dir, maxBytes: 16_000, providers: { offline: toneProvider() } });
    for (const t of ['0123456789', 'abcdefghij', 'klmnopqrst']) await store.speak(settings, t);
    expect(await readdir(dir)).toHaveLength(3);
    expect(await store.bytes()).toBe(3 * 16_000);
  });

  it('counts files another process left, and removes stale temporary files', async () => {
    await writeFile(join(dir, `${'a'.repeat(64)}.sln`), Buffer.alloc(20_000));
    const stale = join(dir, `.${'b'.repeat(64)}.1.abcd.tmp`);
    await writeFile(stale, Buffer.alloc(10));
    const t = new Date(Date.now() - 3600_000);
    await utimes(stale, t, t);
    await utimes(join(dir, `${'a'.repeat(64)}.sln`), t, t);
    const store = createAudioStore({ dir, mediaPrefix: dir, maxBytes: 30_000, minAgeMs: 60_000, providers: { offline: toneProvider() } });
    await store.speak(settings, '0123456789'); // 16 000 more: over 30 000
    expect((await readdir(dir)).sort()).toEqual([`${store.speechKey(settings, '0123456789')}.sln`]);
  });
});

describe('the audio store with the offline voice', () => {
  it('stores real speech Asterisk can play as slin', async () => {
    const store = createAudioStore({ dir, mediaPrefix: dir, maxBytes: 1e9, providers: { offline: createOfflineVoice() } });
    const ref = await store.speak(settings, 'Здравствуйте');
    const pcm = (await store.read(ref.key))!;
    expect(pcm.length).toBe(ref.bytes);
    expect(rms(pcm)).toBeGreaterThan(500);
    const message = await store.assemble([ref, ref]);
    expect(message.media).toBe(`sound:${dir}/${message.key}`);
    expect(message.durationMs).toBe(Math.round((2 * ref.bytes) / BYTES_PER_MS));
  });
});
