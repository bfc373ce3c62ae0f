import type { AuthService } from '../auth/authService';
import type { RequestContext } from '../auth/requestContext';

// Subscriptions run over a WebSocket (the graphql-transport-ws protocol), whose browser API
// cannot send headers: the client puts its credentials in connection_init's payload,
// `{ authorization: 'Bearer <key or session token>' }`. They are checked as an HTTP request's
// are; a connection without valid ones is refused before any subscription, and the guard then
// checks each subscription's roles as it does a query's. A key revoked later ends no socket
// already open; it is refused at the next connection.

export interface SubscriptionAuthOptions {
  onConnect: (data: { payload?: unknown }) => Promise<false | { dialer: RequestContext }>;
}

export function subscriptionAuth(auth: AuthService): SubscriptionAuthOptions {
  return {
    onConnect: async ({ payload }) => {
      const p = (payload ?? {}) as Record<string, unknown>;
      const given = p.authorization ?? p.Authorization;
      const authorization = typeof given === 'string' ? given : null;
      const principal = await auth.principalOf(authorization);
      if (!principal) return false;
      return { dialer: { authorization, source: null, principal } };
    },
  };
}
