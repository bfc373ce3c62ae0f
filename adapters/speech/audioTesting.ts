import { runTool } from './speechTools';

// Helpers for the speech tests: real audio made by the real programs, and measures that tell
// speech from silence. Not used by the product.

/** Speech by espeak-ng as a WAV file (22 050 Hz, espeak-ng's own rate). */
export function espeakWav(text: string, voice = 'ru'): Promise<Buffer> {
  return runTool('espeak-ng', ['-v', voice, '--stdout', text]);
}

/** A WAV file re-encoded by sox to `type` (mp3, ogg, flac, wav). */
export function soxEncode(wav: Buffer, type: 'mp3' | 'ogg' | 'flac' | 'wav'): Promise<Buffer> {
  return runTool('sox', ['-V1', '-t', 'wav', '-', '-t', type, '-'], { input: wav });
}

/** Root mean square of 16-bit little-endian PCM, 0 for silence, up to 32767. */
export function rms(pcm: Buffer): number {
  const n = Math.floor(pcm.length / 2);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = pcm.readInt16LE(i * 2);
    sum += s * s;
  }
  return Math.sqrt(sum / n);
}
