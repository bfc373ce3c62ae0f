import { rms } from '../../adapters/speech/audioTesting';
import { startFakeSpeechKit, V1_PATH, V3_PATH, type FakeSpeechKit } from './fakeSpeechKit';

// The protocol as a client without our code sees it: plain fetch, the real paths and bodies.

const API_KEY = 'fake-key-0123456789';
const IAM_TOKEN = 'fake-iam-token-0123';
const FOLDER = 'b1gfolder';
let fake: FakeSpeechKit;

beforeAll(async () => {
  fake = await startFakeSpeechKit({ apiKey: API_KEY, iamToken: IAM_TOKEN, folderId: FOLDER });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const v1 = (form: Record<string, string>, auth = `Api-Key ${API_KEY}`) => fetch(`${fake.url}${V1_PATH}`, {
  method: 'POST', headers: { authorization: auth }, body: new URLSearchParams(form),
});
const v3 = (body: unknown, headers: Record<string, string> = { authorization: `Api-Key ${API_KEY}` }) => fetch(`${fake.url}${V3_PATH}`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

describe('the fake SpeechKit, API v1', () => {
  it('answers lpcm at 8 kHz with speech: raw 16-bit samples, about a second per few words', async () => {
    const res = await v1({ text: 'Здравствуйте, Иван', lang: 'ru-RU', voice: 'alena', format: 'lpcm', sampleRateHertz: '8000' });
    expect(res.status).toBe(200);
    const pcm = Buffer.from(await res.arrayBuffer());
    expect(pcm.length / 16).toBeGreaterThan(700); // ms
    expect(pcm.length / 16).toBeLessThan(3000);
    expect(rms(pcm)).toBeGreaterThan(500);
    const at48k = Buffer.from(await (await v1({ text: 'Здравствуйте, Иван', voice: 'alena', format: 'lpcm' })).arrayBuffer());
    expect(at48k.length / pcm.length).toBeCloseTo(6, 0);
  });

  it('answers mp3 as an MP3 file', async () => {
    const res = await v1({ text: 'Тест', format: 'mp3' });
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const mp3 = Buffer.from(await res.arrayBuffer());
    expect(mp3.subarray(0, 3).toString('latin1') === 'ID3' || mp3[0] === 0xff).toBe(true);
  });

  it('refuses a wrong key, a user token without a folder, and a bad parameter, in v1\'s error shape', async () => {
    const badKey = await v1({ text: 'Тест', format: 'lpcm' }, 'Api-Key wrong');
    expect(badKey.status).toBe(401);
    expect(await badKey.json()).toEqual({ error_code: 'UNAUTHORIZED', error_message: 'rpc error: code = Unauthenticated desc = Unknown api key' });
    const noFolder = await v1({ text: 'Тест', format: 'lpcm' }, `Bearer ${IAM_TOKEN}`);
    expect(noFolder.status).toBe(401);
    expect(((await noFolder.json()) as any).error_message).toMatch(/You have to specify folder ID for user account/);
    expect((await v1({ text: 'Тест', format: 'lpcm', folderId: FOLDER }, `Bearer ${IAM_TOKEN}`)).status).toBe(200);
    const badSpeed = await v1({ text: 'Тест', format: 'lpcm', speed: '7' });
    expect(badSpeed.status).toBe(400);
    expect(((await badSpeed.json()) as any).error_code).toBe('BAD_REQUEST');
    expect(fake.stats()).toMatchObject({ total: 4, rejected: 3, byStatus: { 200: 1, 400: 1, 401: 2 } });
  });
});

describe('the fake SpeechKit, API v3', () => {
  const body = { text: 'Здравствуйте', hints: [{ voice: 'alena' }, { speed: '1.0' }, { role: 'neutral' }], outputAudioSpec: { rawAudio: { audioEncoding: 'LINEAR16_PCM', sampleRateHertz: '8000' } } };

  it('streams JSON objects whose chunks carry base64 audio', async () => {
    const res = await v3(body);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(1);
    const pcm = Buffer.concat(lines.map((l) => Buffer.from(l.result.audioChunk.data, 'base64')));
    expect(rms(pcm)).toBeGreaterThan(500);
    expect(Number(lines[1].result.startMs)).toBe(500);
  });

  it('fills a text template\'s variables and refuses a missing one', async () => {
    const ok = await v3({ ...body, text: undefined, textTemplate: { textTemplate: 'Здравствуйте, {name}', variables: [{ variableName: '{name}', variableValue: 'Иван' }] } });
    expect(ok.status).toBe(200);
    const missing = await v3({ ...body, text: undefined, textTemplate: { textTemplate: 'Здравствуйте, {name}', variables: [] } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: { grpcCode: 3, httpCode: 400, message: 'template variable {name} has no value', httpStatus: 'Bad Request', details: [] } });
  });

  it('holds a text to 250 characters unless unsafeMode', async () => {
    const long = 'слово '.repeat(50);
    expect((await v3({ ...body, text: long })).status).toBe(400);
    expect((await v3({ ...body, text: long, unsafeMode: true })).status).toBe(200);
  });

  it('needs x-folder-id with a user\'s IAM token', async () => {
    expect((await v3(body, { authorization: `Bearer ${IAM_TOKEN}` })).status).toBe(401);
    expect((await v3(body, { authorization: `Bearer ${IAM_TOKEN}`, 'x-folder-id': 'other' })).status).toBe(403);
    expect((await v3(body, { authorization: `Bearer ${IAM_TOKEN}`, 'x-folder-id': FOLDER })).status).toBe(200);
  });
});

describe('the fake SpeechKit\'s switches and counts', () => {
  it('fails the next N requests with the status asked for, then answers again', async () => {
    const res = await fetch(`${fake.url}/_fake/faults`, { method: 'POST', body: JSON.stringify({ failNext: { status: 429, count: 2 } }) });
    expect(res.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await v1({ text: 'Тест', format: 'lpcm' })).status);
    expect(statuses).toEqual([429, 429, 200]);
  });

  it('answers slowly when told to', async () => {
    fake.setFaults({ delayMs: 400 });
    const t0 = Date.now();
    expect((await v1({ text: 'Тест', format: 'lpcm' })).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    fake.setFaults({});
  });

  it('counts requests per path and per distinct text, without the text', async () => {
    await v1({ text: 'Один', format: 'lpcm' });
    await v1({ text: 'Один', format: 'lpcm' });
    await v3({ text: 'Два', outputAudioSpec: { rawAudio: { audioEncoding: 'LINEAR16_PCM', sampleRateHertz: '8000' } } });
    const stats = (await (await fetch(`${fake.url}/_fake/stats`)).json()) as any;
    expect(stats).toMatchObject({ total: 3, byPath: { [V1_PATH]: 2, [V3_PATH]: 1 }, distinctTexts: 2, characters: 11 });
    expect(Object.values(stats.byText).sort()).toEqual([1, 2]);
    expect(JSON.stringify(stats)).not.toMatch(/Один|Два/);
  });
});
