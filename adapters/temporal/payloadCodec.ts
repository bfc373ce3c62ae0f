import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PayloadKey } from '../../common/config';

// Every payload the dialer gives Temporal (workflow inputs and results, activity arguments,
// signals, queries, memos) is sealed with AES-256-GCM before it leaves the process, so a
// history holds no number, name or amount in clear. The whole payload, metadata included, is
// serialised (Temporal's protobuf Payload, as the other SDKs' encryption codecs do) and
// encrypted; the outer payload says only that it is encrypted and with which key.

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A payload that cannot be decrypted: its key is not configured, or its bytes were changed. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
}

/**
 * AES-256-GCM with a random 12-byte IV per payload (data = IV ‖ ciphertext ‖ tag). The first key
 * encrypts; decode finds the key by the id in the payload, so after a rotation histories
 * written with an older key still read as long as that key is listed. A payload without the
 * encrypted encoding (written before encryption was on) passes through unchanged.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, PayloadKey>;
  private readonly current: PayloadKey;

  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new Error('DIALER_PAYLOAD_KEYS: at least one key is needed to encrypt Temporal payloads');
    this.current = keys[0];
    this.byId = new Map(keys.map((k) => [k.id, k]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.seal(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.open(p));
  }

  private seal(payload: Payload): Payload {
    const { id, key } = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id and encoding are bound to the ciphertext: a payload relabelled with another
    // key's id fails authentication instead of decrypting to garbage.
    cipher.setAAD(associatedData(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id) },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || text.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA}`);
    const id = text.decode(idBytes);
    const entry = this.byId.get(id);
    if (!entry) {
      throw new PayloadDecryptionError(
        `a payload is encrypted with key id "${id}", which DIALER_PAYLOAD_KEYS does not hold (it holds: ${[...this.byId.keys()].join(', ')}); a rotation keeps old keys listed after the new one`);
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`a payload encrypted with key id "${id}" is too short to be one`);
    const decipher = createDecipheriv('aes-256-gcm', entry.key, data.subarray(0, IV_BYTES));
    decipher.setAAD(associatedData(id));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(
        `a payload encrypted with key id "${id}" failed authentication: it was changed, or the key listed as "${id}" is not the one it was encrypted with`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

const associatedData = (keyId: string): Uint8Array => utf8.encode(`${ENCRYPTED_ENCODING};${keyId}`);
