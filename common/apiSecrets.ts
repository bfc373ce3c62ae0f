import { createHash, randomBytes } from 'node:crypto';

// API keys and session tokens: 32 random bytes, shown once, stored only as their SHA-256 (a
// secret that random cannot be guessed from its hash, so a slow hash buys nothing; people's
// passwords, which are not random, get argon2 in the API).

export interface NewSecret {
  /** What the holder sends: `dk_<43 chars>` (API key) or `ds_<43 chars>` (session). */
  secret: string;
  /** The first characters, safe to show in lists and the audit log. */
  prefix: string;
  sha256: Buffer;
}

export function newSecret(kind: 'key' | 'session'): NewSecret {
  const secret = `${kind === 'key' ? 'dk' : 'ds'}_${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: secret.slice(0, 10), sha256: sha256(secret) };
}

export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
