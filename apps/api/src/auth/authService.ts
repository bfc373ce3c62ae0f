import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import {
  insertApiKey, insertSession, insertUser, listApiKeys, principalOfKey, principalOfSession, revokeApiKey,
  revokeSession, userForLogin, type ApiKeyRow, type ApiRole, type Principal,
} from '../../../../adapters/postgres/apiAccess';
import { newSecret, sha256 } from '../../../../common/apiSecrets';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG, PG_POOL } from '../infra/tokens';

@Injectable()
export class AuthService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool, @Inject(API_CONFIG) private readonly config: ApiConfig) {}

  /** The caller of an `Authorization: Bearer …` header, or null. */
  async principalOf(authorization: string | null): Promise<Principal | null> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return null;
    if (token.startsWith('dk_')) return principalOfKey(this.pool, sha256(token));
    if (token.startsWith('ds_')) return principalOfSession(this.pool, sha256(token));
    return null;
  }

  /** A session for a person; null for a wrong login or password (which of the two is not said). */
  async login(login: string, password: string): Promise<{ token: string; expiresAt: Date; principal: Principal } | null> {
    const user = await userForLogin(this.pool, login);
    // Verify against a hash either way, so the answer takes as long for an unknown login.
    const ok = await argon2.verify(user?.password_hash ?? await unknownUserHash(), password).catch(() => false);
    if (!user || !ok) return null;
    const session = newSecret('session');
    const expiresAt = new Date(Date.now() + this.config.API_SESSION_HOURS * 3_600_000);
    await insertSession(this.pool, { userId: Number(user.id), sha256: session.sha256, expiresAt });
    return { token: session.secret, expiresAt, principal: { kind: 'user', id: Number(user.id), name: user.login, role: user.role } };
  }

  async logout(authorization: string | null): Promise<void> {
    const token = /^Bearer\s+(ds_\S+)$/i.exec(authorization ?? '')?.[1];
    if (token) await revokeSession(this.pool, sha256(token));
  }

  async createUser(login: string, role: ApiRole, password: string): Promise<number> {
    if (password.length < 12) throw new Error('password: at least 12 characters');
    return insertUser(this.pool, { login, role, passwordHash: await argon2.hash(password, { type: argon2.argon2id }) });
  }

  async createApiKey(name: string, role: ApiRole, createdBy: string): Promise<{ key: string; prefix: string }> {
    const key = newSecret('key');
    await insertApiKey(this.pool, { name, role, prefix: key.prefix, sha256: key.sha256, createdBy });
    return { key: key.secret, prefix: key.prefix };
  }

  listApiKeys(): Promise<ApiKeyRow[]> {
    return listApiKeys(this.pool);
  }

  revokeApiKey(name: string): Promise<boolean> {
    return revokeApiKey(this.pool, name);
  }
}

// The hash of a random password nobody knows: an unknown login is verified against it.
let dummyHash: Promise<string> | undefined;
const unknownUserHash = (): Promise<string> =>
  (dummyHash ??= argon2.hash(randomBytes(24).toString('base64'), { type: argon2.argon2id }));
