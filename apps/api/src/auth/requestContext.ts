import type { ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Principal } from '../../../../adapters/postgres/apiAccess';

// What a GraphQL operation knows about its caller: the credentials it sent, where from, and
// (once the guard has checked them) who it is.
export interface RequestContext {
  authorization: string | null;
  source: string | null;
  principal?: Principal;
}

export function requestContextOf(ctx: ExecutionContext): RequestContext {
  return GqlExecutionContext.create(ctx).getContext<{ dialer: RequestContext }>().dialer;
}

/** The name the audit log gives a caller. */
export const actorOf = (p: Principal): string => `${p.kind}:${p.name}`;
