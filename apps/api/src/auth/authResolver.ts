import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';
import type { ApiRole } from '../../../../adapters/postgres/apiAccess';
import { AuthService } from './authService';
import { ApiKey, Caller, NewApiKey, Session } from './authTypes';
import { actorOf, type RequestContext } from './requestContext';
import { Public, READERS, Role, Roles } from './roles';

@Resolver()
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Query(() => Caller, { description: 'Who the credentials sent belong to.' })
  @Roles(...READERS)
  me(@Context('dialer') request: RequestContext): Caller {
    const p = request.principal!;
    return { kind: p.kind, name: p.name, role: p.role };
  }

  @Mutation(() => Session, { description: 'A person logs in; wrong login or password are one error.' })
  @Public()
  async login(@Args('login') login: string, @Args('password') password: string, @Context('dialer') request: RequestContext): Promise<Session> {
    const session = await this.auth.login(login, password);
    if (!session) throw new GraphQLError('wrong login or password', { extensions: { code: 'UNAUTHENTICATED' } });
    request.principal = session.principal;
    const { principal } = session;
    return { token: session.token, expiresAt: session.expiresAt, caller: { kind: principal.kind, name: principal.name, role: principal.role } };
  }

  @Mutation(() => Boolean, { description: 'Ends the session whose token was sent (a key is revoked by an admin instead).' })
  @Roles(...READERS)
  async logout(@Context('dialer') request: RequestContext): Promise<boolean> {
    await this.auth.logout(request.authorization);
    return true;
  }

  @Mutation(() => Int, { description: 'A user who logs in with a password (at least 12 characters).' })
  @Roles('admin')
  createUser(@Args('login') login: string, @Args('role', { type: () => Role }) role: ApiRole, @Args('password') password: string): Promise<number> {
    return this.auth.createUser(login, role, password);
  }

  @Mutation(() => NewApiKey, { description: 'A key for a machine (the ERP); its secret is in this answer only.' })
  @Roles('admin')
  createApiKey(@Args('name') name: string, @Args('role', { type: () => Role }) role: ApiRole, @Context('dialer') request: RequestContext): Promise<NewApiKey> {
    return this.auth.createApiKey(name, role, actorOf(request.principal!));
  }

  @Mutation(() => Boolean, { description: 'Revokes a key by name; false when no live key has it.' })
  @Roles('admin')
  revokeApiKey(@Args('name') name: string): Promise<boolean> {
    return this.auth.revokeApiKey(name);
  }

  @Query(() => [ApiKey])
  @Roles('admin')
  async apiKeys(): Promise<ApiKey[]> {
    return (await this.auth.listApiKeys()).map((k) => ({
      id: Number(k.id), name: k.name, role: k.role, prefix: k.prefix, createdAt: k.created_at,
      createdBy: k.created_by, lastUsedAt: k.last_used_at, revokedAt: k.revoked_at,
    }));
  }
}
