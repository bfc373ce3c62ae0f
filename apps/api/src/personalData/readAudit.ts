import type { Pool } from 'pg';
import { auditPersonalDataRead, type PersonalDataRead } from '../../../../adapters/postgres/personalData';
import { actorOf, type RequestContext } from '../auth/requestContext';

/**
 * The access log of a read of personal fields through the API (docs/personalData.md): who, from
 * where, what and how many rows, with ids only. Called by each resolver or route that returns
 * names or numbers, after it read them.
 */
export async function auditRead(pool: Pool, request: RequestContext, read: Omit<PersonalDataRead, 'actor' | 'source'>): Promise<void> {
  await auditPersonalDataRead(pool, {
    ...read, actor: request.principal ? actorOf(request.principal) : 'anonymous', source: request.source,
  });
}
