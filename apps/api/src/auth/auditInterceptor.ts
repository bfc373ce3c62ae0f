import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Pool } from 'pg';
import { from, mergeMap, type Observable } from 'rxjs';
import { writeAudit } from '../../../../adapters/postgres/apiAccess';
import { PG_POOL } from '../infra/tokens';
import { actorOf, requestContextOf } from './requestContext';

/** Argument values the audit log may keep: ids, never names, numbers or amounts. */
const ID_ARGS = new Set(['id', 'campaignId', 'name', 'templateId']);

/**
 * An audit row for every mutation that succeeded: who, which mutation, on what id, from where,
 * and the names of the arguments given (their values may be personal data; ids are kept).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const gql = GqlExecutionContext.create(ctx);
    const info = gql.getInfo<{ operation: { operation: string }; fieldName: string }>();
    if (info?.operation.operation !== 'mutation') return next.handle();
    const args = gql.getArgs<Record<string, unknown>>();
    return next.handle().pipe(mergeMap((result) => from((async () => {
      const request = requestContextOf(ctx);
      const principal = request.principal;
      const ids = Object.fromEntries(Object.entries(args).filter(([k, v]) => ID_ARGS.has(k) && typeof v !== 'object'));
      await writeAudit(this.pool, {
        actor: principal ? actorOf(principal) : 'anonymous',
        action: `api.${info.fieldName}`,
        entity: 'api',
        entityId: String(ids.id ?? ids.campaignId ?? ids.name ?? ''),
        details: { arguments: Object.keys(args), ids },
        source: request.source,
      });
      return result;
    })())));
  }
}
