import { Injectable, Module, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { Counter } from 'prom-client';
import { tap, type Observable } from 'rxjs';
import { registry } from '../../../../adapters/metrics/registry';

// dialer_api_requests_total{operation_type, outcome}: one count per root field resolved (query,
// mutation, subscription) or HTTP route (uploads, exports) handled. Counted by an interceptor,
// so calls the auth guard refuses are not in it (they never reach a handler). The labels are
// closed sets: no field arguments, no caller.

export const apiRequestsTotal = new Counter({
  name: 'dialer_api_requests_total',
  help: 'API root fields and HTTP routes handled, by operation type (query, mutation, subscription, http) and outcome (ok, error)',
  labelNames: ['operation_type', 'outcome'] as const,
  registers: [registry],
});

const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);

@Injectable()
export class RequestMetricsInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    let operationType = 'http';
    if (ctx.getType<GqlContextType>() === 'graphql') {
      const info = GqlExecutionContext.create(ctx).getInfo<{ operation?: { operation: string }; path?: { prev?: unknown } }>();
      if (info?.path?.prev) return next.handle(); // a nested field, not a request
      const type = info?.operation?.operation ?? '';
      operationType = OPERATION_TYPES.has(type) ? type : 'other';
    }
    const count = (outcome: 'ok' | 'error'): void => { apiRequestsTotal.inc({ operation_type: operationType, outcome }); };
    return next.handle().pipe(tap({ complete: () => count('ok'), error: () => count('error') }));
  }
}

@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: RequestMetricsInterceptor }] })
export class MetricsModule {}
