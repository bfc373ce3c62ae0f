/**
 * A fake Yandex SpeechKit: the same paths, parameters, headers and error bodies as the real
 * service, with real audio (espeak-ng, through the offline voice's programs), a count of the
 * requests, and switches to fail or to answer slowly. Tests and the demo reach it through the
 * product's real clients (adapters/speech/speechKitV1.ts, speechKitV3.ts).
 *
 *   POST /speech/v1/tts:synthesize    REST API v1: form fields text | ssml, lang, voice, emotion,
 *                                     speed, format (lpcm | mp3 | oggopus), sampleRateHertz,
 *                                     folderId; the answer is the audio itself; errors
 *                                     {"error_code", "error_message"}
 *   POST /tts/v3/utteranceSynthesis   REST API v3: JSON {text | textTemplate, hints[{voice},
 *                                     {speed}, {role}], outputAudioSpec, loudnessNormalizationType,
 *                                     unsafeMode}; the answer is a stream of JSON objects
 *                                     {"result": {"audioChunk": {"data": base64}, "startMs",
 *                                     "lengthMs"}}; errors {"error": {"grpcCode", "httpCode",
 *                                     "message", "httpStatus", "details"}}
 * Authorization: `Api-Key <key>` (a service account's key: no folder needed) or
 * `Bearer <IAM token>` (a user account: the folder in `folderId` (v1) or `x-folder-id` (v3)).
 *
 * And, under a path the real service does not have, without authorization:
 *   GET  /_fake/stats    the counts (never a text: distinct texts are counted by hash)
 *   POST /_fake/faults   {"failNext": {"status": 401|403|429|500|503, "count": n}, "delayMs": ms};
 *                        {} turns them off
 *   POST /_fake/reset    counts to zero, faults off
 *
 * What it does not do: SSML and TTS markup are read as plain text; Ogg Opus is not encoded
 * (no encoder among the unpacked tools: 501 in the service's error shape); Brand Voice
 * template synthesis (an audio template hint) is refused as the service refuses it to
 * accounts without Brand Voice.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rawPcmOutput } from '../../adapters/speech/audioConversion';
import { espeakSpeech } from '../../adapters/speech/offlineVoice';
import { runTool } from '../../adapters/speech/speechTools';

export const V1_PATH = '/speech/v1/tts:synthesize';
export const V3_PATH = '/tts/v3/utteranceSynthesis';

/** v1's limits: a 15 KB body, 5 000 characters of text. */
const V1_MAX_BODY = 15 * 1024;
const V1_MAX_TEXT = 5000;
/** v3's limit per request (more only with unsafeMode, billed as several requests). */
export const V3_MAX_TEXT = 250;
const MAX_JSON_BODY = 1024 * 1024;

/** SpeechKit's voices; the fake speaks the women's in espeak-ng's female variant. */
const FEMALE_VOICES = ['alena', 'jane', 'omazh', 'dasha', 'julia', 'lera', 'masha', 'marina', 'oksana', 'zhanar', 'saule', 'naomi', 'yulduz', 'lea', 'amira', 'madi_ru'];
const MALE_VOICES = ['filipp', 'ermil', 'madirus', 'zahar', 'alexander', 'kirill', 'anton', 'john', 'zamira', 'nigora', 'ermilov'];
const VOICES = new Set([...FEMALE_VOICES, ...MALE_VOICES]);
const EMOTIONS = new Set(['neutral', 'good', 'evil', 'friendly', 'strict', 'whisper']);
const LANGUAGES = new Set(['ru-RU', 'en-US', 'de-DE', 'kk-KK', 'uz-UZ', 'he-IL']);
const LPCM_RATES = new Set([8000, 16000, 22050, 48000]);

export interface FakeSpeechKitOptions {
  port?: number;
  host?: string;
  /** The API key `Api-Key <key>` must carry. */
  apiKey: string;
  /** The IAM token `Bearer <token>` may carry instead (then a folder is required). */
  iamToken?: string;
  /** The folder a user account's requests must name. */
  folderId: string;
}

export interface FakeFaults {
  /** The next `count` synthesis requests are answered with `status` (in the service's error shape). */
  failNext?: { status: 401 | 403 | 429 | 500 | 503; count: number };
  /** Every synthesis request waits this long before it is answered. */
  delayMs?: number;
}

export interface FakeStats {
  /** Synthesis requests received, whatever their answer. */
  total: number;
  /** Of those, the ones answered with an error (injected or not). */
  rejected: number;
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
  /** Requests per distinct text, keyed by the first 16 hex digits of the text's sha256. */
  byText: Record<string, number>;
  distinctTexts: number;
  /** Characters of text received in answered requests (what v1 bills). */
  characters: number;
}

export interface FakeSpeechKit {
  url: string;
  stats(): FakeStats;
  setFaults(faults: FakeFaults): void;
  reset(): void;
  close(): Promise<void>;
}

/** The error a request earns: its HTTP status, the gRPC code and a message. */
class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const GRPC_BY_STATUS: Record<number, { code: number; name: string; v1: string; http: string }> = {
  400: { code: 3, name: 'InvalidArgument', v1: 'BAD_REQUEST', http: 'Bad Request' },
  401: { code: 16, name: 'Unauthenticated', v1: 'UNAUTHORIZED', http: 'Unauthorized' },
  403: { code: 7, name: 'PermissionDenied', v1: 'FORBIDDEN', http: 'Forbidden' },
  404: { code: 5, name: 'NotFound', v1: 'NOT_FOUND', http: 'Not Found' },
  429: { code: 8, name: 'ResourceExhausted', v1: 'TOO_MANY_REQUESTS', http: 'Too Many Requests' },
  500: { code: 13, name: 'Internal', v1: 'INTERNAL_SERVER_ERROR', http: 'Internal Server Error' },
  501: { code: 12, name: 'Unimplemented', v1: 'NOT_IMPLEMENTED', http: 'Not Implemented' },
  503: { code: 14, name: 'Unavailable', v1: 'SERVICE_UNAVAILABLE', http: 'Service Unavailable' },
};

const FAULT_MESSAGES: Record<number, string> = {
  401: 'The token is invalid',
  403: 'Permission denied',
  429: 'Quota limit tts.requestsPerSecond.rate exceeded',
  500: 'Internal error',
  503: 'Service is unavailable',
};

function textKey(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** What a parsed request asks for, in either API. */
interface Synthesis {
  text: string;
  voice: string;
  speed: number;
  /** raw PCM at a rate, or a container. */
  output: { kind: 'lpcm'; rate: number } | { kind: 'wav'; rate: number } | { kind: 'mp3' } | { kind: 'oggopus' };
}

export async function startFakeSpeechKit(opts: FakeSpeechKitOptions): Promise<FakeSpeechKit> {
  let faults: FakeFaults = {};
  let stats: FakeStats;
  const reset = () => {
    stats = { total: 0, rejected: 0, byPath: {}, byStatus: {}, byText: {}, distinctTexts: 0, characters: 0 };
    faults = {};
  };
  reset();
  const setFaults = (f: FakeFaults) => {
    faults = { failNext: f.failNext ? { ...f.failNext } : undefined, delayMs: f.delayMs };
  };
  const count = (path: string) => {
    stats.total++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
  };
  const countStatus = (status: number) => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (status !== 200) stats.rejected++;
  };
  const countText = (text: string) => {
    const key = textKey(text);
    if (!(key in stats.byText)) stats.distinctTexts++;
    stats.byText[key] = (stats.byText[key] ?? 0) + 1;
    stats.characters += [...text].length;
  };

  /** Checks the Authorization header and the folder; returns nothing or throws 401/403. */
  const authorize = (req: http.IncomingMessage, folderId: string | undefined): void => {
    const auth = req.headers.authorization ?? '';
    if (auth === `Api-Key ${opts.apiKey}`) {
      // A service account's key: its folder is the account's own; a folder given must match.
      if (folderId && folderId !== opts.folderId) throw new ApiError(403, `Permission to folder ${folderId} denied`);
      return;
    }
    if (opts.iamToken && auth === `Bearer ${opts.iamToken}`) {
      if (!folderId) throw new ApiError(401, 'You have to specify folder ID for user account');
      if (folderId !== opts.folderId) throw new ApiError(403, `Permission to folder ${folderId} denied`);
      return;
    }
    if (!auth) throw new ApiError(401, 'Authorization header is missing');
    if (/^Api-Key /.test(auth)) throw new ApiError(401, 'Unknown api key');
    if (/^Bearer /.test(auth)) throw new ApiError(401, 'The token is invalid');
    throw new ApiError(401, 'Unsupported authorization scheme (Api-Key or Bearer)');
  };

  const injectedFault = (): ApiError | null => {
    const f = faults.failNext;
    if (!f || f.count <= 0) return null;
    f.count--;
    return new ApiError(f.status, FAULT_MESSAGES[f.status] ?? 'Injected failure');
  };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake SpeechKit failed: ${err instanceof Error ? err.message : String(err)}`);
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/_fake/stats' && req.method === 'GET') return sendJson(res, 200, stats);
    if (path === '/_fake/reset' && req.method === 'POST') {
      reset();
      return sendJson(res, 200, stats);
    }
    if (path === '/_fake/faults' && req.method === 'POST') {
      setFaults(JSON.parse((await readBody(req, MAX_JSON_BODY)).toString('utf8') || '{}') as FakeFaults);
      return sendJson(res, 200, faults);
    }
    if (path !== V1_PATH && path !== V3_PATH) {
      return sendJson(res, 404, { error: { grpcCode: 5, httpCode: 404, message: 'Not Found', httpStatus: 'Not Found', details: [] } });
    }
    const v1 = path === V1_PATH;
    count(path);
    const fail = (err: ApiError) => {
      countStatus(err.status);
      const g = GRPC_BY_STATUS[err.status] ?? GRPC_BY_STATUS[500]!;
      if (v1) {
        return sendJson(res, err.status, { error_code: g.v1, error_message: `rpc error: code = ${g.name} desc = ${err.message}` });
      }
      return sendJson(res, err.status, { error: { grpcCode: g.code, httpCode: err.status, message: err.message, httpStatus: g.http, details: [] } });
    };
    try {
      if (req.method !== 'POST') throw new ApiError(404, `${req.method} ${path} is not a method`);
      if (faults.delayMs) await sleep(faults.delayMs);
      if (req.destroyed) return;
      const body = await readBody(req, v1 ? V1_MAX_BODY : MAX_JSON_BODY);
      const parsed = v1 ? parseV1(body) : parseV3(body);
      authorize(req, v1 ? parsed.folderId : headerValue(req.headers['x-folder-id']));
      const fault = injectedFault();
      if (fault) throw fault;
      const synthesis = parsed.synthesis;
      countText(synthesis.text);
      const audio = await synthesize(synthesis);
      countStatus(200);
      if (v1) {
        res.writeHead(200, { 'content-type': v1ContentType(synthesis), 'content-length': audio.length });
        res.end(audio);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'grpc-metadata-content-type': 'application/grpc' });
      for (const line of v3Chunks(audio, synthesis)) res.write(`${line}\n`);
      res.end();
    } catch (err) {
      if (err instanceof ApiError) return fail(err);
      throw err;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${opts.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url,
    stats: () => structuredClone(stats),
    setFaults,
    reset,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function parseV1(body: Buffer): { synthesis: Synthesis; folderId?: string } {
  const form = new URLSearchParams(body.toString('utf8'));
  const text = form.get('text');
  const ssml = form.get('ssml');
  if (text !== null && ssml !== null) throw new ApiError(400, 'Only one of text and ssml may be given');
  const spoken = text ?? (ssml !== null ? ssml.replace(/<[^>]*>/g, ' ') : null);
  if (spoken === null || !spoken.trim()) throw new ApiError(400, 'Text is empty');
  if ([...spoken].length > V1_MAX_TEXT) throw new ApiError(400, `Too long text: more than ${V1_MAX_TEXT} characters`);
  const lang = form.get('lang') ?? 'ru-RU';
  if (!LANGUAGES.has(lang)) throw new ApiError(400, `Unsupported language ${lang}`);
  const voice = form.get('voice') ?? 'marina';
  if (!VOICES.has(voice)) throw new ApiError(400, `Unsupported voice ${voice}`);
  const emotion = form.get('emotion');
  if (emotion !== null && !EMOTIONS.has(emotion)) throw new ApiError(400, `Unsupported emotion ${emotion}`);
  const speed = parseSpeed(form.get('speed'));
  const format = form.get('format') ?? 'oggopus';
  let output: Synthesis['output'];
  if (format === 'lpcm') {
    const rate = Number(form.get('sampleRateHertz') ?? 48000);
    if (!LPCM_RATES.has(rate)) throw new ApiError(400, `Unsupported sampleRateHertz ${form.get('sampleRateHertz')}`);
    output = { kind: 'lpcm', rate };
  } else if (format === 'mp3') {
    output = { kind: 'mp3' };
  } else if (format === 'oggopus') {
    output = { kind: 'oggopus' };
  } else {
    throw new ApiError(400, `Unsupported format ${format}`);
  }
  const folderId = form.get('folderId') ?? undefined;
  if (folderId && folderId.length > 50) throw new ApiError(400, 'folderId is longer than 50 characters');
  return { synthesis: { text: spoken, voice, speed, output }, folderId };
}

interface V3Body {
  model?: string;
  text?: string;
  textTemplate?: { textTemplate?: string; variables?: { variableName?: string; variableValue?: string }[] };
  hints?: Record<string, unknown>[];
  outputAudioSpec?: { rawAudio?: { audioEncoding?: string; sampleRateHertz?: string | number }; containerAudio?: { containerAudioType?: string } };
  loudnessNormalizationType?: string;
  unsafeMode?: boolean;
}

const V3_FIELDS = new Set(['model', 'text', 'textTemplate', 'hints', 'outputAudioSpec', 'loudnessNormalizationType', 'unsafeMode']);

function parseV3(body: Buffer): { synthesis: Synthesis; folderId?: string } {
  let req: V3Body;
  try {
    req = JSON.parse(body.toString('utf8')) as V3Body;
  } catch (err) {
    throw new ApiError(400, `invalid JSON: ${(err as Error).message}`);
  }
  if (!req || typeof req !== 'object') throw new ApiError(400, 'the body is not a JSON object');
  for (const k of Object.keys(req)) {
    if (!V3_FIELDS.has(k)) throw new ApiError(400, `unknown field "${k}" in speechkit.tts.v3.UtteranceSynthesisRequest`);
  }
  if (req.text !== undefined && req.textTemplate !== undefined) throw new ApiError(400, 'Only one of text and textTemplate may be given');
  let text: string;
  if (req.textTemplate) {
    // The text with each {variable} replaced by its value; the voice reads the whole phrase.
    text = req.textTemplate.textTemplate ?? '';
    for (const v of req.textTemplate.variables ?? []) {
      if (!v.variableName) throw new ApiError(400, 'a template variable has no variableName');
      text = text.split(v.variableName.startsWith('{') ? v.variableName : `{${v.variableName}}`).join(v.variableValue ?? '');
    }
    const left = /\{[^}]*\}/.exec(text);
    if (left) throw new ApiError(400, `template variable ${left[0]} has no value`);
  } else {
    text = req.text ?? '';
  }
  if (!text.trim()) throw new ApiError(400, 'Text is empty');
  if ([...text].length > V3_MAX_TEXT && !req.unsafeMode) {
    throw new ApiError(400, `Too long text: ${[...text].length} characters, the limit is ${V3_MAX_TEXT} (set unsafeMode to split it)`);
  }
  let voice = 'marina';
  let speed = 1;
  for (const hint of req.hints ?? []) {
    const keys = Object.keys(hint);
    if (keys.length !== 1) throw new ApiError(400, 'each hint holds exactly one of voice, audioTemplate, speed, volume, role, pitchShift, duration');
    const [key] = keys as [string];
    const value = hint[key];
    if (key === 'voice') {
      if (typeof value !== 'string' || !VOICES.has(value)) throw new ApiError(400, `Unsupported voice ${String(value)}`);
      voice = value;
    } else if (key === 'speed') {
      speed = parseSpeed(String(value));
    } else if (key === 'role') {
      if (typeof value !== 'string' || !EMOTIONS.has(value)) throw new ApiError(400, `Unsupported role ${String(value)}`);
    } else if (key === 'audioTemplate') {
      throw new ApiError(403, 'Template synthesis is available for Brand Voice voices only');
    } else if (!['volume', 'pitchShift', 'duration'].includes(key)) {
      throw new ApiError(400, `unknown hint "${key}"`);
    }
  }
  const spec = req.outputAudioSpec;
  let output: Synthesis['output'] = { kind: 'wav', rate: 22050 };
  if (spec?.rawAudio && spec.containerAudio) throw new ApiError(400, 'Only one of rawAudio and containerAudio may be given');
  if (spec?.rawAudio) {
    if (spec.rawAudio.audioEncoding !== 'LINEAR16_PCM') throw new ApiError(400, `Unsupported audioEncoding ${spec.rawAudio.audioEncoding}`);
    const rate = Number(spec.rawAudio.sampleRateHertz ?? 22050);
    if (!LPCM_RATES.has(rate)) throw new ApiError(400, `Unsupported sampleRateHertz ${spec.rawAudio.sampleRateHertz}`);
    output = { kind: 'lpcm', rate };
  } else if (spec?.containerAudio) {
    const type = spec.containerAudio.containerAudioType;
    if (type === 'WAV') output = { kind: 'wav', rate: 22050 };
    else if (type === 'MP3') output = { kind: 'mp3' };
    else if (type === 'OGG_OPUS') output = { kind: 'oggopus' };
    else throw new ApiError(400, `Unsupported containerAudioType ${type}`);
  }
  return { synthesis: { text, voice, speed, output } };
}

function parseSpeed(raw: string | null): number {
  if (raw === null) return 1;
  const speed = Number(raw);
  if (!Number.isFinite(speed) || speed < 0.1 || speed > 3) throw new ApiError(400, `speed must be from 0.1 to 3, got ${raw}`);
  return speed;
}

/** Real speech in the requested format: the offline voice's espeak-ng WAV, then sox. */
async function synthesize(s: Synthesis): Promise<Buffer> {
  if (s.output.kind === 'oggopus') throw new ApiError(501, 'the fake SpeechKit does not encode Ogg Opus; ask for lpcm or mp3');
  let wav: Buffer;
  try {
    wav = await espeakSpeech(s.text, FEMALE_VOICES.includes(s.voice) ? 'ru+f3' : 'ru', s.speed);
  } catch (err) {
    throw new ApiError(500, `synthesis failed: ${(err as Error).message}`);
  }
  const out = s.output;
  const target = out.kind === 'lpcm'
    ? rawPcmOutput(out.rate)
    : out.kind === 'wav'
      ? ['-t', 'wav', '-r', String(out.rate), '-c', '1', '-b', '16', '-e', 'signed-integer', '-']
      : ['-t', 'mp3', '-r', '22050', '-c', '1', '-'];
  try {
    return await runTool('sox', ['-V1', '-t', 'wav', '-', ...target], { input: wav });
  } catch (err) {
    throw new ApiError(500, `conversion failed: ${(err as Error).message}`);
  }
}

function v1ContentType(s: Synthesis): string {
  if (s.output.kind === 'mp3') return 'audio/mpeg';
  if (s.output.kind === 'oggopus') return 'audio/ogg';
  return 'application/octet-stream';
}

/** v3's answer: the audio in chunks of about half a second, each a JSON object on its own line. */
function v3Chunks(audio: Buffer, s: Synthesis): string[] {
  const rate = s.output.kind === 'lpcm' || s.output.kind === 'wav' ? s.output.rate : 0;
  const chunkBytes = rate ? rate : 8192; // half a second of 16-bit PCM, or 8 KB of MP3
  const lines: string[] = [];
  for (let at = 0; at < audio.length || at === 0; at += chunkBytes) {
    const data = audio.subarray(at, at + chunkBytes);
    const startMs = rate ? Math.round((at / 2 / rate) * 1000) : 0;
    const lengthMs = rate ? Math.round((data.length / 2 / rate) * 1000) : 0;
    lines.push(JSON.stringify({ result: { audioChunk: { data: data.toString('base64') }, startMs: String(startMs), lengthMs: String(lengthMs) } }));
    if (audio.length === 0) break;
  }
  return lines;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > limit) {
        reject(new ApiError(400, `the request body is larger than ${limit} bytes`));
        req.resume();
        return;
      }
      parts.push(b);
    });
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
