import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSpeechKit, V1_PATH, V3_PATH, type FakeSpeechKit } from '../../apps/fake-speechkit/fakeSpeechKit';
import { speechEnv } from '../../common/config';
import { DEFAULT_SPEECH, type SpeechSettings } from '../../domain/speechSettings';
import { rms } from './audioTesting';
import { createSpeechAudioStore, createSpeechProviders, speechCacheSettings } from './speechProviders';
import { BYTES_PER_MS, SpeechRejectedError, SpeechUnavailableError, type SpeechProvider } from './speechPort';
import { parseJsonStream } from './speechKitV3';

// The real clients against the fake SpeechKit, in this process: what they send is checked by
// the fake's own validation (paths, fields, auth), what they make of the answers by these tests.

const API_KEY = 'test-key-for-the-fake-0001';
const FOLDER = 'b1gtestfolder';
const TEXT = 'Здравствуйте, Иван Петрович';
let fake: FakeSpeechKit;
let providers: ReturnType<typeof createSpeechProviders>;

const configFor = (env: Record<string, string>) => speechEnv.parse(env);

beforeAll(async () => {
  fake = await startFakeSpeechKit({ apiKey: API_KEY, iamToken: 'test-iam-token-0001', folderId: FOLDER });
  providers = createSpeechProviders(configFor({ SPEECHKIT_API_KEY: API_KEY, SPEECHKIT_FOLDER_ID: FOLDER, SPEECHKIT_URL: fake.url, SPEECHKIT_TIMEOUT_MS: '1000' }));
});
afterAll(() => fake.close());
afterEach(() => fake.setFaults({}));

describe.each(['speechkit-v1', 'speechkit-v3'] as const)('%s', (name) => {
  const settings: SpeechSettings = { ...DEFAULT_SPEECH, provider: name, voice: 'alena', emotion: 'good' };
  const path = name === 'speechkit-v1' ? V1_PATH : V3_PATH;
  let provider: SpeechProvider;
  beforeAll(() => {
    provider = providers[name];
  });

  it('speaks the text as 8 kHz slin: a plausible length, not silence, one request', async () => {
    const before = fake.stats();
    const pcm = await provider.synthesize({ text: TEXT, settings });
    expect(provider.name).toBe(name);
    expect(pcm.length % 2).toBe(0);
    expect(pcm.length / BYTES_PER_MS).toBeGreaterThan(1000);
    expect(pcm.length / BYTES_PER_MS).toBeLessThan(6000);
    expect(rms(pcm)).toBeGreaterThan(500);
    const after = fake.stats();
    expect(after.total - before.total).toBe(1);
    expect((after.byPath[path] ?? 0) - (before.byPath[path] ?? 0)).toBe(1);
  });

  it('is refused for good on 401, naming the service\'s code, not the key or the text', async () => {
    fake.setFaults({ failNext: { status: 401, count: 1 } });
    const err = await provider.synthesize({ text: TEXT, settings }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechRejectedError);
    expect((err as SpeechRejectedError).status).toBe(401);
    expect((err as Error).message).toMatch(name === 'speechkit-v1' ? /answered 401 \(UNAUTHORIZED: / : /answered 401 \(gRPC 16: /);
    expect((err as Error).message).not.toContain(API_KEY);
    expect((err as Error).message).not.toContain('Иван');
  });

  it('is unavailable (to retry) on 429 and 500', async () => {
    for (const status of [429, 500] as const) {
      fake.setFaults({ failNext: { status, count: 1 } });
      const err = await provider.synthesize({ text: TEXT, settings }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SpeechUnavailableError);
      expect((err as SpeechUnavailableError).status).toBe(status);
    }
  });

  it('gives up on a slow answer at its timeout, as unavailable', async () => {
    fake.setFaults({ delayMs: 1500 });
    const t0 = Date.now();
    const err = await provider.synthesize({ text: TEXT, settings }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechUnavailableError);
    expect((err as Error).message).toMatch(/did not answer within 1000 ms/);
    expect(Date.now() - t0).toBeLessThan(1400);
  });

  it('stops when the caller cancels', async () => {
    fake.setFaults({ delayMs: 800 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const err = await provider.synthesize({ text: TEXT, settings, signal: abort.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechUnavailableError);
    expect((err as Error).message).toMatch(/cancelled/);
  });
});

describe('SpeechKit\'s configuration', () => {
  it('works with a user\'s IAM token and its folder', async () => {
    const withToken = createSpeechProviders(configFor({ SPEECHKIT_IAM_TOKEN: 'test-iam-token-0001', SPEECHKIT_FOLDER_ID: FOLDER, SPEECHKIT_URL: fake.url }));
    for (const name of ['speechkit-v1', 'speechkit-v3'] as const) {
      const pcm = await withToken[name].synthesize({ text: 'Тест', settings: { ...DEFAULT_SPEECH, provider: name } });
      expect(rms(pcm)).toBeGreaterThan(500);
    }
  });

  it('refuses every request, naming the missing variable, without a key', async () => {
    const none = createSpeechProviders(configFor({ SPEECHKIT_URL: fake.url }));
    await expect(none['speechkit-v3'].synthesize({ text: 'Тест', settings: DEFAULT_SPEECH }))
      .rejects.toThrow(new SpeechRejectedError('speechkit-v3 is not configured: SPEECHKIT_API_KEY or SPEECHKIT_IAM_TOKEN is not set'));
  });

  it('is unavailable when nothing listens at its address', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const nowhere = createSpeechProviders(configFor({ SPEECHKIT_API_KEY: API_KEY, SPEECHKIT_URL: `http://127.0.0.1:${port}` }));
    const err = await nowhere['speechkit-v1'].synthesize({ text: 'Тест', settings: DEFAULT_SPEECH }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechUnavailableError);
    expect((err as Error).message).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });

  it('sends long v3 texts with unsafeMode (the service holds a request to 250 characters)', async () => {
    const pcm = await providers['speechkit-v3'].synthesize({ text: 'слово '.repeat(50), settings: DEFAULT_SPEECH });
    expect(pcm.length).toBeGreaterThan(0);
  });
});

describe('parseJsonStream', () => {
  it('reads objects on lines or back to back, and refuses a cut-off stream', () => {
    expect(parseJsonStream('{"a":1}\n{"b":"}{"}\n')).toEqual([{ a: 1 }, { b: '}{' }]);
    expect(parseJsonStream('{"a":1}{"b":2}')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(() => parseJsonStream('{"a":1}{"b":')).toThrow(SpeechUnavailableError);
  });
});

describe('the configured speech cache', () => {
  it('defaults to $DIALER_CACHE/speech-cache, played by its absolute path', () => {
    const settings = speechCacheSettings(configFor({}), { DIALER_CACHE: '/srv/dialer' });
    expect(settings).toEqual({ dir: '/srv/dialer/speech-cache', mediaPrefix: '/srv/dialer/speech-cache', maxBytes: 2 * 1024 ** 3, minAgeMs: 3_600_000 });
    const shared = speechCacheSettings(configFor({ SPEECH_CACHE_DIR: '/root/ast/var/lib/asterisk/sounds/dialer-speech', SPEECH_MEDIA_PREFIX: '/var/lib/asterisk/sounds/dialer-speech/' }));
    expect(shared.mediaPrefix).toBe('/var/lib/asterisk/sounds/dialer-speech');
  });

  it('speaks through the fake SpeechKit into the folder, once per text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'speech-cache-'));
    try {
      const store = createSpeechAudioStore(configFor({ SPEECHKIT_API_KEY: API_KEY, SPEECHKIT_URL: fake.url, SPEECH_CACHE_DIR: dir }));
      const before = fake.stats().total;
      const settings: SpeechSettings = { ...DEFAULT_SPEECH, provider: 'speechkit-v3' };
      const [a, b] = await Promise.all([store.speak(settings, 'Добрый день'), store.speak(settings, 'Добрый день')]);
      await store.speak(settings, 'Добрый день');
      expect(a).toEqual(b);
      expect(fake.stats().total - before).toBe(1);
      expect(store.media(a.key)).toBe(`sound:${dir}/${a.key}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
