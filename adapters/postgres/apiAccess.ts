import type { Row } from './rows';
import type { Queryable } from './transaction';

// Who may use the API: keys for machines, users and their sessions for people, and the audit
// log of what they did. Secrets arrive here already hashed (common/apiSecrets.ts).

export type ApiRole = Row<'api_key'>['role'];
export const API_ROLES: readonly ApiRole[] = ['admin', 'supervisor', 'viewer', 'erp'];

/** Who is calling: what the audit log names and the role the guards check. */
export interface Principal {
  kind: 'key' | 'user';
  id: number;
  /** The key's name or the user's login. */
  name: string;
  role: ApiRole;
}

export async function insertApiKey(
  db: Queryable, k: { name: string; role: ApiRole; prefix: string; sha256: Buffer; createdBy: string },
): Promise<number> {
  const { rows } = await db.query<Pick<Row<'api_key'>, 'id'>>(
    `INSERT INTO api_key (name, role, prefix, key_sha256, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [k.name, k.role, k.prefix, k.sha256, k.createdBy],
  );
  return Number(rows[0].id);
}

export type ApiKeyRow = Pick<Row<'api_key'>, 'id' | 'name' | 'role' | 'prefix' | 'created_at' | 'created_by' | 'last_used_at' | 'revoked_at'>;

export async function listApiKeys(db: Queryable): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    'SELECT id, name, role, prefix, created_at, created_by, last_used_at, revoked_at FROM api_key ORDER BY id');
  return rows;
}

/** Revokes a key by name; false when there is no live key of that name. */
export async function revokeApiKey(db: Queryable, name: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE api_key SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL', [name]);
  return (rowCount ?? 0) > 0;
}

/** The live key with this hash, marked used (at most once a minute, to spare the row). */
export async function principalOfKey(db: Queryable, keySha256: Buffer): Promise<Principal | null> {
  const { rows } = await db.query<Pick<Row<'api_key'>, 'id' | 'name' | 'role'>>(
    `UPDATE api_key SET last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < now() - interval '1 minute'
                                           THEN now() ELSE last_used_at END
      WHERE key_sha256 = $1 AND revoked_at IS NULL
      RETURNING id, name, role`,
    [keySha256],
  );
  return rows[0] ? { kind: 'key', id: Number(rows[0].id), name: rows[0].name, role: rows[0].role } : null;
}

export async function insertUser(db: Queryable, u: { login: string; role: ApiRole; passwordHash: string }): Promise<number> {
  const { rows } = await db.query<Pick<Row<'app_user'>, 'id'>>(
    'INSERT INTO app_user (login, role, password_hash) VALUES ($1, $2, $3) RETURNING id', [u.login, u.role, u.passwordHash]);
  return Number(rows[0].id);
}

export async function userForLogin(db: Queryable, login: string): Promise<Pick<Row<'app_user'>, 'id' | 'login' | 'role' | 'password_hash'> | null> {
  const { rows } = await db.query<Pick<Row<'app_user'>, 'id' | 'login' | 'role' | 'password_hash'>>(
    'SELECT id, login, role, password_hash FROM app_user WHERE login = $1 AND disabled_at IS NULL', [login]);
  return rows[0] ?? null;
}

export async function insertSession(db: Queryable, s: { userId: number; sha256: Buffer; expiresAt: Date }): Promise<void> {
  await db.query('INSERT INTO user_session (user_id, token_sha256, expires_at) VALUES ($1, $2, $3)', [s.userId, s.sha256, s.expiresAt]);
}

export async function principalOfSession(db: Queryable, tokenSha256: Buffer): Promise<Principal | null> {
  const { rows } = await db.query<Pick<Row<'app_user'>, 'id' | 'login' | 'role'>>(
    `SELECT u.id, u.login, u.role FROM user_session s JOIN app_user u ON u.id = s.user_id
      WHERE s.token_sha256 = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [tokenSha256],
  );
  return rows[0] ? { kind: 'user', id: Number(rows[0].id), name: rows[0].login, role: rows[0].role } : null;
}

export async function revokeSession(db: Queryable, tokenSha256: Buffer): Promise<void> {
  await db.query('UPDATE user_session SET revoked_at = now() WHERE token_sha256 = $1 AND revoked_at IS NULL', [tokenSha256]);
}

/** One audit row: who (`key:<name>` or `user:<login>`), what, on what, from where; no personal data. */
export async function writeAudit(
  db: Queryable, a: { actor: string; action: string; entity: string; entityId: string; details: object; source: string | null },
): Promise<void> {
  await db.query(
    'INSERT INTO audit_log (actor, action, entity, entity_id, details, source) VALUES ($1, $2, $3, $4, $5, $6)',
    [a.actor, a.action, a.entity, a.entityId, JSON.stringify(a.details), a.source],
  );
}
