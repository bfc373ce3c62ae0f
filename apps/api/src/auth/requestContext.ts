import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../../../adapters/postgres/apiAccess';

// What a GraphQL operation knows about its caller: the credentials it sent, where from, and
// (once the guard has checked them) who it is.
export interface RequestContext {
  authorization: string | null;
  source: string | null;
  principal?: Principal;
}

export function requestContextOf(ctx: ExecutionContext): RequestContext {
  if (ctx.getType() === 'http') return httpRequestContext(ctx.switchToHttp().getRequest<FastifyRequest>());
  return GqlExecutionContext.create(ctx).getContext<{ dialer: RequestContext }>().dialer;
}

/** The same for a plain HTTP route (an export): made once per request, from its headers. */
export function httpRequestContext(request: FastifyRequest): RequestContext {
  const r = request as FastifyRequest & { dialer?: RequestContext };
  return (r.dialer ??= { authorization: request.headers.authorization ?? null, source: request.ip ?? null });
}

/** The name the audit log gives a caller. */
export const actorOf = (p: Principal): string => `${p.kind}:${p.name}`;
