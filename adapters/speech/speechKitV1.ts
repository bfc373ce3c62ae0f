import { SPEECH_LANGUAGE } from '../../domain/speechSettings';
import { endpoint, synthesizeOverHttp, type ServiceError, type SpeechKitClientConfig } from './speechKitHttp';
import { SAMPLE_RATE, type SpeechProvider, type SynthesisRequest } from './speechPort';

// SpeechKit's REST API v1: POST /speech/v1/tts:synthesize, form fields, the audio itself in the
// answer. format=lpcm at 8000 Hz is 16-bit little-endian mono PCM, what Asterisk plays as slin:
// no conversion. Billed per character (API v3 per request).

export const V1_SYNTHESIZE_PATH = '/speech/v1/tts:synthesize';
export const DEFAULT_SPEECHKIT_VOICE = 'alena';

interface V1Error {
  error_code?: string;
  error_message?: string;
}

export function createSpeechKitV1(config: SpeechKitClientConfig): SpeechProvider {
  const url = endpoint(config.url, V1_SYNTHESIZE_PATH);
  const { credentials } = config;
  return {
    name: 'speechkit-v1',
    synthesize({ text, settings, signal }: SynthesisRequest): Promise<Buffer> {
      const form = new URLSearchParams({
        text,
        lang: SPEECH_LANGUAGE,
        voice: settings.voice ?? DEFAULT_SPEECHKIT_VOICE,
        speed: String(settings.speed),
        format: 'lpcm',
        sampleRateHertz: String(SAMPLE_RATE),
      });
      if (settings.emotion) form.set('emotion', settings.emotion);
      // A service account's key bills its own folder; the field is for a user's IAM token only.
      if (credentials.usesIamToken && credentials.folderId) form.set('folderId', credentials.folderId);
      return synthesizeOverHttp(config, {
        api: 'SpeechKit v1', url, text, signal,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        readError: readV1Error,
        // The answer is the audio itself.
        readAudio: async (res) => Buffer.from(await res.arrayBuffer()),
      });
    },
  };
}

function readV1Error(body: string): ServiceError {
  try {
    const e = JSON.parse(body) as V1Error;
    return { code: e.error_code ?? null, message: e.error_message ?? '' };
  } catch {
    return { code: null, message: '' };
  }
}
