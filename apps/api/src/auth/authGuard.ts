import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GraphQLError } from 'graphql';
import type { ApiRole } from '../../../../adapters/postgres/apiAccess';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG } from '../infra/tokens';
import { AuthService } from './authService';
import { RateLimiter } from './rateLimiter';
import { requestContextOf } from './requestContext';
import { PUBLIC_KEY, ROLES_KEY } from './roles';

const refuse = (code: 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED', message: string): never => {
  throw new GraphQLError(message, { extensions: { code } });
};

/** Every field: credentials checked, the role allowed, the caller within its rate. */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.limiter = new RateLimiter(config.API_RATE_LIMIT_PER_MINUTE);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLES_KEY, targets);
    // A field that names no roles is a programming mistake: closed, not open.
    if (!roles || roles.length === 0) refuse('FORBIDDEN', 'this field names no roles that may call it');
    const request = requestContextOf(ctx);
    const principal = request.principal ?? await this.auth.principalOf(request.authorization);
    if (!principal) return refuse('UNAUTHENTICATED', 'send Authorization: Bearer <API key or session token>');
    request.principal = principal;
    if (!roles!.includes(principal.role)) refuse('FORBIDDEN', `the ${principal.role} role may not do this (allowed: ${roles!.join(', ')})`);
    if (!this.limiter.take(`${principal.kind}:${principal.id}`)) refuse('RATE_LIMITED', 'too many requests: slow down');
    return true;
  }
}
