import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

// A GraphQL subscription over a real WebSocket, as the console speaks it (graphql-transport-ws,
// the graphql-ws client), with every event kept and the moment it arrived.

export interface Watched<T> {
  events: { at: number; data?: T; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }[];
  /** Set when the connection or the subscription failed: an Error, a CloseEvent, or GraphQL errors. */
  failure: unknown;
  /** Resolves with the first event (after `from`) that satisfies `test`, or rejects after `ms`. */
  next(test: (data: T) => boolean, ms?: number, from?: number): Promise<{ at: number; data: T }>;
  close(): Promise<void>;
}

export function wsClient(httpUrl: string, authorization?: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe<T>(client: Client, query: string, variables: Record<string, unknown>): Watched<T> {
  const watched: Watched<T> = {
    events: [],
    failure: undefined,
    async next(test, ms = 5000, from = 0) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = watched.events.find((e) => e.at >= from && e.data !== undefined && test(e.data));
        if (hit) return hit as { at: number; data: T };
        if (watched.failure) throw new Error(`subscription failed: ${describe(watched.failure)}`);
        if (Date.now() > deadline) throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(watched.events)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
  const dispose = client.subscribe<T>({ query, variables }, {
    next: (v) => {
      watched.events.push({ at: Date.now(), data: v.data ?? undefined, errors: v.errors });
      if (v.errors) watched.failure = v.errors;
    },
    error: (err) => { watched.failure = err ?? new Error('closed'); },
    complete: () => undefined,
  });
  return watched;
}

/** Waits until the subscription failed (resolves with the failure) or `ms` passed (rejects). */
export async function failureOf(w: Watched<unknown>, ms = 5000): Promise<unknown> {
  const deadline = Date.now() + ms;
  while (!w.failure) {
    if (Date.now() > deadline) throw new Error(`not refused within ${ms} ms; events: ${JSON.stringify(w.events)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return w.failure;
}

export function describe(failure: unknown): string {
  if (Array.isArray(failure)) return JSON.stringify(failure);
  const f = failure as { code?: number; reason?: string; message?: string };
  return f.message ?? `close ${f.code} ${f.reason ?? ''}`;
}
