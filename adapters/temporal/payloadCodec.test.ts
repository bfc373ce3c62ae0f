import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ConfigError, readEnv, temporalEnv } from '../../common/config';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, PayloadDecryptionError } from './payloadCodec';

// The codec alone: what a sealed payload carries, what opens it, and what refuses to.

const keyText = (id: string, bytes = randomBytes(32)): string => `${id}:${bytes.toString('base64')}`;
const keysOf = (setting: string) => readEnv(temporalEnv, { DIALER_PAYLOAD_KEYS: setting }).DIALER_PAYLOAD_KEYS;
const text = (b: Uint8Array | null | undefined): string => Buffer.from(b ?? []).toString('utf8');

const contact = { phone: '+79161234567', name: 'Иванов Иван', amount: '12345.50' };
const plain = (): Payload => defaultPayloadConverter.toPayload(contact);

describe('AesGcmPayloadCodec', () => {
  const k1 = keyText('k1');
  const k2 = keyText('k2');

  it('seals a payload under the first key: its encoding and key id say so, and nothing of the value is left in clear', async () => {
    const [sealed] = await new AesGcmPayloadCodec(keysOf(`${k2},${k1}`)).encode([plain()]);
    expect(text(sealed.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed.metadata?.[KEY_ID_METADATA])).toBe('k2');
    expect(Object.keys(sealed.metadata ?? {}).sort()).toEqual(['encoding', KEY_ID_METADATA]);
    const bytes = Buffer.from(sealed.data ?? []);
    for (const value of [contact.phone, '79161234567', contact.name, contact.amount, 'json/plain']) {
      expect(bytes.includes(Buffer.from(value))).toBe(false);
    }
  });

  it('opens what it sealed, metadata included, and never seals twice alike (a fresh IV each time)', async () => {
    const codec = new AesGcmPayloadCodec(keysOf(k1));
    const [a, b] = await codec.encode([plain(), plain()]);
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
    const [opened] = await codec.decode([a]);
    expect(text(opened.metadata?.encoding)).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(opened)).toEqual(contact);
  });

  it('after a rotation (k2 first, k1 kept) reads what k1 sealed and seals new payloads with k2', async () => {
    const [old] = await new AesGcmPayloadCodec(keysOf(k1)).encode([plain()]);
    const rotated = new AesGcmPayloadCodec(keysOf(`${k2},${k1}`));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old]))[0])).toEqual(contact);
    expect(text((await rotated.encode([plain()]))[0].metadata?.[KEY_ID_METADATA])).toBe('k2');
  });

  it('refuses a payload whose key was dropped, naming the key id and never the key', async () => {
    const [old] = await new AesGcmPayloadCodec(keysOf(k1)).encode([plain()]);
    const err = await new AesGcmPayloadCodec(keysOf(k2)).decode([old]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadDecryptionError);
    expect((err as Error).message).toContain('"k1"');
    expect((err as Error).message).toContain('holds: k2');
    for (const secret of [k1, k2]) expect((err as Error).message).not.toContain(secret.slice(3));
  });

  it('refuses a changed byte anywhere in the sealed data, and a payload relabelled with another key id', async () => {
    const codec = new AesGcmPayloadCodec(keysOf(`${k1},${k2}`));
    const [sealed] = await codec.encode([plain()]);
    for (const at of [0, 12, sealed.data!.length - 1]) {
      const data = Buffer.from(sealed.data!);
      data[at] ^= 0x01;
      await expect(codec.decode([{ ...sealed, data }])).rejects.toThrow(/key id "k1" failed authentication/);
    }
    // k2's bytes under k1's label: GCM fails rather than returning garbage.
    const relabelled = { ...sealed, metadata: { ...sealed.metadata, [KEY_ID_METADATA]: Buffer.from('k2') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(/key id "k2" failed authentication/);
    await expect(codec.decode([{ ...sealed, data: Buffer.alloc(10) }])).rejects.toThrow(/too short/);
  });

  it('passes through a payload written before encryption was on', async () => {
    const before = plain();
    const [opened] = await new AesGcmPayloadCodec(keysOf(k1)).decode([before]);
    expect(opened).toBe(before);
  });
});

describe('DIALER_PAYLOAD_KEYS', () => {
  const problem = (env: Record<string, string>): string => {
    try {
      readEnv(temporalEnv, env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('the environment was accepted');
  };

  it('is required, with a message that says how to make one', () => {
    expect(problem({})).toMatch(/DIALER_PAYLOAD_KEYS: required: `id:<base64 of 32 random bytes>`/);
  });

  it('names the bad entry and its id, never the key bytes', () => {
    const short = randomBytes(16).toString('base64');
    const message = problem({ DIALER_PAYLOAD_KEYS: `${keyText('good')},weak:${short}` });
    expect(message).toContain('DIALER_PAYLOAD_KEYS: entry 2 (key id weak): the key must be 32 bytes, base64-encoded; it is 16');
    expect(message).not.toContain(short);
    expect(problem({ DIALER_PAYLOAD_KEYS: 'no-colon-here' })).toContain('entry 1: expected id:<base64 key>');
    expect(problem({ DIALER_PAYLOAD_KEYS: `${keyText('a')},${keyText('a')}` })).toContain('entry 2: key id a is given twice');
  });

  it('keeps the keys in order, first the one that encrypts, as key objects that print no bytes', () => {
    const bytes = randomBytes(32);
    const keys = keysOf(`${keyText('new', bytes)}, ${keyText('old')}`);
    expect(keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(keys[0].key.export().equals(bytes)).toBe(true);
    expect(JSON.stringify(keys)).not.toContain(bytes.toString('base64'));
    expect(inspect(keys)).not.toContain(bytes.toString('base64'));
  });
});
