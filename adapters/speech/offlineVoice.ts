import { SLIN_OUTPUT } from './audioConversion';
import { SpeechRejectedError, SpeechUnavailableError, wholeSamples, type SpeechProvider, type SynthesisRequest } from './speechPort';
import { runTool, ToolFailedError, ToolMissingError, type RunOptions } from './speechTools';

// The offline voice: espeak-ng on this machine (Debian's, Russian by default), for the demo and
// for installations without a SpeechKit key. espeak-ng writes a WAV at its own rate; sox turns
// it into 8 kHz slin. The text goes in on stdin, never as an argument: an argument would show
// a name or an amount to anyone listing processes, and a text starting with '-' would be
// read as an option.

/** espeak-ng's words per minute at speed 1: a little slower than its default 175, clearer on a phone line. */
const OFFLINE_WORDS_PER_MINUTE = 160;
const MIN_WPM = 80;
const MAX_WPM = 450;

/** espeak-ng's WAV (at its own rate) of the text in `voice` at `speed` (1 is normal), the text on stdin. */
export function espeakSpeech(text: string, voice: string, speed: number, opts: Omit<RunOptions, 'input'> = {}): Promise<Buffer> {
  const wpm = Math.min(MAX_WPM, Math.max(MIN_WPM, Math.round(OFFLINE_WORDS_PER_MINUTE * speed)));
  // -b 1: the input is UTF-8.
  return runTool('espeak-ng', ['-v', voice, '-s', String(wpm), '-b', '1', '--stdin', '--stdout'], { ...opts, input: Buffer.from(text, 'utf8') });
}

export function createOfflineVoice(env: NodeJS.ProcessEnv = process.env): SpeechProvider {
  return {
    name: 'offline',
    async synthesize({ text, settings, signal }: SynthesisRequest): Promise<Buffer> {
      const voice = settings.voice ?? 'ru';
      try {
        const wav = await espeakSpeech(text, voice, settings.speed, { signal, env });
        return wholeSamples(await runTool('sox', ['-V1', '-t', 'wav', '-', ...SLIN_OUTPUT], { input: wav, signal, env }));
      } catch (err) {
        if (err instanceof ToolFailedError && err.tool === 'espeak-ng' && /voice does not exist/i.test(err.stderr)) {
          throw new SpeechRejectedError(`the offline voice has no voice '${voice}' (espeak-ng --voices lists them)`);
        }
        if (err instanceof ToolMissingError || err instanceof ToolFailedError) {
          throw new SpeechUnavailableError(`the offline voice failed: ${err.message}`);
        }
        if (err instanceof Error && err.name === 'AbortError') throw new SpeechUnavailableError('the offline voice was cancelled');
        throw err;
      }
    },
  };
}
