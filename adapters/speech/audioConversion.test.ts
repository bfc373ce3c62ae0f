import { espeakWav, rms, soxEncode } from './audioTesting';
import { AudioFormatError, detectAudioType, pcmToWav, toSlin } from './audioConversion';
import { BYTES_PER_MS } from './speechPort';

// Real files: espeak-ng speaks, sox encodes, toSlin decodes (scripts/speech-tools.sh provides
// both programs; the tests find them through ESPEAK_NG_BIN / SOX_BIN or $DIALER_CACHE/bin).

describe('toSlin', () => {
  let wav: Buffer;
  let reference: { pcm: Buffer; durationMs: number };

  beforeAll(async () => {
    wav = await espeakWav('Здравствуйте, это напоминание о платеже');
    reference = await toSlin(wav);
  });

  it('turns a WAV into 8 kHz 16-bit mono speech of the same length', async () => {
    expect(detectAudioType(wav)).toBe('wav');
    // espeak-ng's WAV header says 22 050 Hz mono 16-bit: its data length gives the duration.
    const sourceMs = ((wav.length - 44) / 2 / 22050) * 1000;
    expect(reference.durationMs).toBeGreaterThan(1000);
    expect(Math.abs(reference.durationMs - sourceMs)).toBeLessThan(20);
    expect(Math.abs(reference.pcm.length / BYTES_PER_MS - reference.durationMs)).toBeLessThanOrEqual(0.5);
    expect(rms(reference.pcm)).toBeGreaterThan(500);
  });

  it.each(['mp3', 'ogg', 'flac'] as const)('reads %s, detected by its first bytes, to about the same audio', async (type) => {
    const file = await soxEncode(wav, type);
    expect(detectAudioType(file)).toBe(type);
    const out = await toSlin(file);
    expect(out.format).toBe(type);
    // Lossy codecs pad a little at the start and end.
    expect(Math.abs(out.durationMs - reference.durationMs)).toBeLessThan(120);
    expect(rms(out.pcm)).toBeGreaterThan(rms(reference.pcm) * 0.7);
  });

  it('refuses what is not audio, naming the accepted types', async () => {
    const text = Buffer.from('name,phone\nIvan,+79990000000\n');
    expect(detectAudioType(text)).toBeNull();
    await expect(toSlin(text)).rejects.toThrow(new AudioFormatError('not a WAV, MP3, OGG or FLAC file'));
  });

  it('refuses a file that looks like a WAV but is not one, with sox\'s reason', async () => {
    const broken = Buffer.concat([wav.subarray(0, 12), Buffer.alloc(200, 7)]);
    const err = await toSlin(broken).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioFormatError);
    expect((err as Error).message).toMatch(/^the WAV file cannot be read: .+/);
    expect((err as Error).message).not.toMatch(/sox FAIL/);
  });

  it('refuses a WAV that holds no samples', async () => {
    await expect(toSlin(pcmToWav(Buffer.alloc(0)))).rejects.toThrow(/holds no audio|cannot be read/);
  });
});

describe('pcmToWav', () => {
  it('writes a header sox reads back to the same samples', async () => {
    const pcm = Buffer.alloc(BYTES_PER_MS * 250);
    for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin(i / 5)), i * 2);
    const wav = pcmToWav(pcm);
    expect(wav.length).toBe(44 + pcm.length);
    const back = await toSlin(wav);
    expect(back.durationMs).toBe(250);
    expect(back.pcm.equals(pcm)).toBe(true);
  });
});
