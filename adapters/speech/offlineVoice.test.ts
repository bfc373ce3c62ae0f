import { DEFAULT_SPEECH } from '../../domain/speechSettings';
import { rms } from './audioTesting';
import { createOfflineVoice } from './offlineVoice';
import { BYTES_PER_MS, SpeechRejectedError, SpeechUnavailableError } from './speechPort';

describe('the offline voice', () => {
  const voice = createOfflineVoice();

  it('speaks Russian text as 8 kHz slin, longer for more words and shorter when faster', async () => {
    const short = await voice.synthesize({ text: 'Здравствуйте', settings: DEFAULT_SPEECH });
    const long = await voice.synthesize({ text: 'Здравствуйте, Иван Петрович. Напоминаем о задолженности.', settings: DEFAULT_SPEECH });
    const fast = await voice.synthesize({ text: 'Здравствуйте, Иван Петрович. Напоминаем о задолженности.', settings: { ...DEFAULT_SPEECH, speed: 2 } });
    expect(voice.name).toBe('offline');
    expect(short.length % 2).toBe(0);
    expect(short.length / BYTES_PER_MS).toBeGreaterThan(400);
    expect(long.length).toBeGreaterThan(short.length * 2);
    expect(fast.length).toBeLessThan(long.length * 0.7);
    expect(rms(long)).toBeGreaterThan(500);
  });

  it('reads a text that starts like an option as text', async () => {
    const pcm = await voice.synthesize({ text: '-v en hello', settings: DEFAULT_SPEECH });
    expect(pcm.length / BYTES_PER_MS).toBeGreaterThan(500);
  });

  it('refuses a voice espeak-ng does not have, for good', async () => {
    await expect(voice.synthesize({ text: 'Тест', settings: { ...DEFAULT_SPEECH, voice: 'qqqq' } }))
      .rejects.toThrow(new SpeechRejectedError("the offline voice has no voice 'qqqq' (espeak-ng --voices lists them)"));
  });

  it('is unavailable, naming the install script, when espeak-ng is missing', async () => {
    const missing = createOfflineVoice({ ...process.env, ESPEAK_NG_BIN: '/nonexistent/espeak-ng' });
    const err = await missing.synthesize({ text: 'Тест', settings: DEFAULT_SPEECH }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpeechUnavailableError);
    expect((err as Error).message).toMatch(/scripts\/speech-tools\.sh/);
    expect((err as Error).message).not.toMatch(/Тест/);
  });
});
