import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { espeakWav, rms, soxEncode } from '../../../adapters/speech/audioTesting';
import { BYTES_PER_MS, SAMPLE_RATE } from '../../../adapters/speech/speechPort';
import { insertContact, createTestCampaign } from '../../../test/fixtures';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// Recorded clips uploaded over HTTP and a template heard as a WAV file: real sox, the real
// offline voice (espeak-ng), the real speech cache in a folder of this test's own.

jest.setTimeout(120_000);

let world: ApiWorld;
let cacheDir: string;
let base: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'dialer-api-audio-'));
  process.env.SPEECH_CACHE_DIR = cacheDir;
  world = await startApiWorld();
  base = world.url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  await world?.close();
  delete process.env.SPEECH_CACHE_DIR;
  await rm(cacheDir, { recursive: true, force: true });
});

const upload = (name: string, file: Buffer, fileName: string, key = world.keys.erp) => {
  const form = new FormData();
  form.append('file', new Blob([file]), fileName);
  return fetch(`${base}/uploads/audio?name=${encodeURIComponent(name)}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${key}` } });
};

/** The PCM of a WAV file the API sent, after checking its header says 8 kHz 16-bit mono. */
function wavPcm(wav: Buffer): Buffer {
  expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF');
  expect(wav.subarray(8, 12).toString('latin1')).toBe('WAVE');
  expect([wav.readUInt16LE(22), wav.readUInt32LE(24), wav.readUInt16LE(34)]).toEqual([1, SAMPLE_RATE, 16]);
  return wav.subarray(44);
}

test('a recording is converted and stored; a file that is not audio is refused at upload naming the problem', async () => {
  const mp3 = await soxEncode(await espeakWav('Добрый день'), 'mp3');
  const res = await upload('greeting', mp3, 'greeting.mp3');
  expect(res.status).toBe(201);
  const answer = await res.json() as { name: string; durationMs: number; sourceFormat: string; bytes: number };
  expect(answer).toMatchObject({ name: 'greeting', sourceFormat: 'mp3', bytes: mp3.length });
  expect(answer.durationMs).toBeGreaterThan(300);
  expect(answer.durationMs).toBeLessThan(3000);
  const { rows } = await world.db.pool.query('SELECT audio_key, duration_ms FROM audio_clip WHERE name = $1', ['greeting']);
  expect(rows[0].duration_ms).toBe(answer.durationMs);

  const text = await upload('fake', Buffer.from('this is not a recording, only text named like one\n'), 'fake.wav');
  expect(text.status).toBe(400);
  expect(await text.json()).toEqual({ error: 'file: not a WAV, MP3, OGG or FLAC file', code: 'NOT_AUDIO' });
  // A RIFF/WAVE header over garbage: sox's own reason is given.
  const broken = Buffer.concat([Buffer.from('RIFF\0\0\0\0WAVEfmt '), Buffer.alloc(64, 7)]);
  const brokenAnswer = await upload('broken', broken, 'broken.wav');
  expect(brokenAnswer.status).toBe(400);
  expect((await brokenAnswer.json() as { error: string }).error).toMatch(/^file: the WAV file cannot be read: ./);
  expect((await world.db.pool.query(`SELECT name FROM audio_clip ORDER BY name`)).rows).toEqual([{ name: 'greeting' }]);

  const badName = await upload('no spaces', mp3, 'x.mp3');
  expect(badName.status).toBe(400);
  expect((await badName.json() as { issues: unknown }).issues).toEqual([{ path: 'name', message: 'letters, digits, _ . and -, at most 100' }]);
  expect((await upload('by-viewer', mp3, 'x.mp3', world.keys.viewer)).status).toBe(403);
  expect((await fetch(`${base}/uploads/audio?name=anon`, { method: 'POST' })).status).toBe(401);
});

test('a template is heard as a WAV file: its text in the offline voice, a clip and a contact\'s values, not silence', async () => {
  const created = await graphql(world.url, `mutation($i: NewTemplateInput!) { createTemplate(input: $i) { id } }`, {
    i: { name: 'Heard', body: '{{audio:greeting}} Здравствуйте, {{NAME}}! Ваша задолженность {{BALANCE|money}}.' },
  }, world.keys.erp);
  expect(created.errors).toBeUndefined();
  const templateId = created.data!.createTemplate.id as number;
  const campaignId = await createTestCampaign(world.db.pool, { templateId, state: 'draft' });
  const contactId = await insertContact(world.db.pool, campaignId, 'x1', ['+79160000001'], { BALANCE: '-12345.50' }, 'Иван Петров');

  const get = await fetch(`${base}/templates/preview.wav?templateId=${templateId}&contactId=${contactId}`,
    { headers: { authorization: `Bearer ${world.keys.viewer}` } });
  expect(get.status).toBe(200);
  expect(get.headers.get('content-type')).toBe('audio/wav');
  const pcm = wavPcm(Buffer.from(await get.arrayBuffer()));
  const seconds = pcm.length / BYTES_PER_MS / 1000;
  // A greeting, a name, two phrases and an amount of eight words: several seconds, not one.
  expect(seconds).toBeGreaterThan(4);
  expect(seconds).toBeLessThan(20);
  expect(rms(pcm)).toBeGreaterThan(500);
  // The clip's audio is the message's beginning, byte for byte.
  const clipKey = (await world.db.pool.query('SELECT audio_key FROM audio_clip WHERE name = $1', ['greeting'])).rows[0].audio_key as string;
  const { readFile } = await import('node:fs/promises');
  const clip = await readFile(path.join(cacheDir, 'clips', `${clipKey}.sln`));
  expect(pcm.subarray(0, clip.length).equals(clip)).toBe(true);

  // The same message by POST with the variables given; a smaller amount is a shorter message.
  const post = await fetch(`${base}/templates/preview.wav`, {
    method: 'POST',
    headers: { authorization: `Bearer ${world.keys.erp}`, 'content-type': 'application/json' },
    body: JSON.stringify({ templateId, variables: { NAME: 'Иван Петров', BALANCE: '5' } }),
  });
  expect(post.status).toBe(200);
  const shorter = wavPcm(Buffer.from(await post.arrayBuffer()));
  expect(shorter.length).toBeLessThan(pcm.length);
  expect(shorter.subarray(0, clip.length).equals(clip)).toBe(true);

  const missing = await fetch(`${base}/templates/preview.wav?templateId=${templateId}&variables=${encodeURIComponent('{"NAME":"Анна"}')}`,
    { headers: { authorization: `Bearer ${world.keys.erp}` } });
  expect(missing.status).toBe(400);
  expect((await missing.json() as { issues: unknown }).issues).toEqual([{ path: 'variables.BALANCE', message: 'missing (the template uses {{BALANCE}})' }]);
  expect((await fetch(`${base}/templates/preview.wav?templateId=${templateId}`)).status).toBe(401);
});
