import { endpoint, synthesizeOverHttp, type ServiceError, type SpeechKitClientConfig } from './speechKitHttp';
import { SAMPLE_RATE, SpeechRejectedError, SpeechUnavailableError, type SpeechProvider, type SynthesisRequest } from './speechPort';
import { DEFAULT_SPEECHKIT_VOICE } from './speechKitV1';

// SpeechKit's REST API v3: POST /tts/v3/utteranceSynthesis, JSON in; out, a stream of JSON
// objects ({"result": {"audioChunk": {"data": base64}}}, or {"error": …} if it fails midway).
// Raw LINEAR16_PCM at 8000 Hz is slin as it is. Billed per request; a request holds at most
// 250 characters unless unsafeMode splits it (and bills each part).

export const V3_SYNTHESIS_PATH = '/tts/v3/utteranceSynthesis';
export const V3_TEXT_LIMIT = 250;

interface V3Message {
  result?: { audioChunk?: { data?: string } };
  error?: V3Error;
}
interface V3Error {
  grpcCode?: number;
  httpCode?: number;
  code?: number;
  message?: string;
}

export function createSpeechKitV3(config: SpeechKitClientConfig): SpeechProvider {
  const url = endpoint(config.url, V3_SYNTHESIS_PATH);
  const { folderId } = config.credentials;
  return {
    name: 'speechkit-v3',
    synthesize({ text, settings, signal }: SynthesisRequest): Promise<Buffer> {
      const hints: Record<string, string>[] = [
        { voice: settings.voice ?? DEFAULT_SPEECHKIT_VOICE },
        { speed: String(settings.speed) },
      ];
      if (settings.emotion) hints.push({ role: settings.emotion });
      const body = {
        text,
        hints,
        outputAudioSpec: { rawAudio: { audioEncoding: 'LINEAR16_PCM', sampleRateHertz: String(SAMPLE_RATE) } },
        loudnessNormalizationType: 'LUFS',
        ...([...text].length > V3_TEXT_LIMIT ? { unsafeMode: true } : {}),
      };
      return synthesizeOverHttp(config, {
        api: 'SpeechKit v3', url, text, signal,
        headers: { 'content-type': 'application/json', ...(folderId ? { 'x-folder-id': folderId } : {}) },
        body: JSON.stringify(body),
        readError: readV3Error,
        readAudio: async (res) => readAudioChunks(await res.text()),
      });
    },
  };
}

/** The audio of the answer's stream, chunk after chunk; an error sent midway is thrown as the service's. */
function readAudioChunks(answer: string): Buffer {
  const chunks: Buffer[] = [];
  for (const message of parseJsonStream(answer).flat() as V3Message[]) {
    if (message.error) {
      const status = message.error.httpCode ?? 500;
      const detail = `SpeechKit v3 failed midway (${status}${message.error.grpcCode !== undefined ? `, gRPC ${message.error.grpcCode}` : ''})`;
      if (status === 429 || status >= 500) throw new SpeechUnavailableError(detail, status);
      throw new SpeechRejectedError(detail, status);
    }
    const data = message.result?.audioChunk?.data;
    if (data) chunks.push(Buffer.from(data, 'base64'));
  }
  return Buffer.concat(chunks);
}

/** The gRPC gateway's error: {"error": {grpcCode, httpCode, message}} or {code, message}. */
function readV3Error(body: string): ServiceError {
  try {
    const parsed = JSON.parse(body) as V3Error & { error?: V3Error };
    const e = parsed.error ?? parsed;
    const code = e.grpcCode ?? e.code;
    return { code: code === undefined ? null : `gRPC ${code}`, message: e.message ?? '' };
  } catch {
    return { code: null, message: '' };
  }
}

/**
 * The JSON objects of a stream, one after another: newline-separated as the gateway writes
 * them, or back to back. Throws SpeechUnavailableError on a cut-off or garbled stream.
 */
export function parseJsonStream(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) {
        try {
          out.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          throw new SpeechUnavailableError('SpeechKit v3 sent a garbled answer', 200);
        }
      }
    }
  }
  if (depth !== 0 || inString) throw new SpeechUnavailableError('SpeechKit v3\'s answer was cut off', 200);
  return out;
}
