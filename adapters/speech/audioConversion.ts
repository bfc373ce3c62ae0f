import { BYTES_PER_MS, SAMPLE_RATE, wholeSamples } from './speechPort';
import { runTool, ToolFailedError } from './speechTools';

// Uploaded recordings and synthesised voices become what Asterisk plays: 8 kHz, 16-bit signed
// little-endian, mono raw PCM (slin). sox does the work, through stdin and stdout; the type is
// taken from the file's first bytes, not from a name or a MIME type a client chose.

/** An upload that cannot be played: not a supported type, or a file sox cannot read. */
export class AudioFormatError extends Error {
  override readonly name = 'AudioFormatError';
}

export type AudioType = 'wav' | 'mp3' | 'ogg' | 'flac';

/** The container by its magic bytes, or null. */
export function detectAudioType(input: Buffer): AudioType | null {
  const ascii = (from: number, to: number) => input.subarray(from, to).toString('latin1');
  if (input.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (input.length >= 4 && ascii(0, 4) === 'OggS') return 'ogg';
  if (input.length >= 4 && ascii(0, 4) === 'fLaC') return 'flac';
  if (input.length >= 3 && ascii(0, 3) === 'ID3') return 'mp3';
  // An MPEG audio frame header: 11 sync bits, a layer other than "reserved".
  if (input.length >= 2 && input[0] === 0xff && (input[1]! & 0xe0) === 0xe0 && (input[1]! & 0x06) !== 0) return 'mp3';
  return null;
}

/** sox's arguments for raw 16-bit signed little-endian mono PCM at `rate` on stdout. */
export function rawPcmOutput(rate: number): string[] {
  return ['-t', 'raw', '-r', String(rate), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'];
}

/** sox's arguments for slin (raw PCM at SAMPLE_RATE) on stdout. */
export const SLIN_OUTPUT = rawPcmOutput(SAMPLE_RATE);

/**
 * Any WAV, MP3, OGG (Vorbis) or FLAC file as slin. Throws AudioFormatError for anything else,
 * or for a file sox cannot decode (its reason in the message), or one that holds no sound.
 */
export async function toSlin(input: Buffer, signal?: AbortSignal): Promise<{ pcm: Buffer; durationMs: number; format: AudioType }> {
  const format = detectAudioType(input);
  if (!format) throw new AudioFormatError('not a WAV, MP3, OGG or FLAC file');
  let pcm: Buffer;
  try {
    // -V1: only failures on stderr. Channels are mixed down and the rate converted by sox's own
    // automatic effects (remix, rate, dither) for the output's format.
    pcm = await runTool('sox', ['-V1', '-t', format, '-', ...SLIN_OUTPUT], { input, signal });
  } catch (err) {
    if (err instanceof ToolFailedError) {
      throw new AudioFormatError(`the ${format.toUpperCase()} file cannot be read: ${soxReason(err.stderr)}`);
    }
    throw err;
  }
  if (pcm.length < BYTES_PER_MS) throw new AudioFormatError(`the ${format.toUpperCase()} file holds no audio`);
  pcm = wholeSamples(pcm);
  return { pcm, durationMs: Math.round(pcm.length / BYTES_PER_MS), format };
}

/** sox's message without its prefixes ("sox FAIL formats: can't open input `-': ..."). */
function soxReason(stderr: string): string {
  const reason = stderr.replace(/^\S*sox (FAIL|WARN) \w+: /gm, '').replace(/can't open input\s+`-':\s*/g, '').trim();
  return reason || 'sox could not decode it';
}

/** slin PCM in a WAV file (a 44-byte RIFF header): for previews and downloads. */
export function pcmToWav(pcm: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16); // size of the fmt chunk
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
