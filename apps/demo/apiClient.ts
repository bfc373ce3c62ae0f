import { createClient } from 'graphql-ws';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';

// The demo speaks to the API as an ERP does: GraphQL over HTTP with a bearer key, lists sent
// to POST /uploads as multipart, and subscriptions over graphql-ws. Nothing else of the
// dialer is reached from here.

export interface ApiError { message: string; extensions?: { code?: string; issues?: { path: string; message: string }[] } }

export class ApiClient {
  constructor(readonly baseUrl: string, private readonly key: string) {}

  /** One GraphQL operation; errors (with the issues' paths) become the thrown message. */
  async graphql<T = unknown>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.key}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await res.json()) as { data?: T; errors?: ApiError[] };
    if (answer.errors?.length) throw new Error(answer.errors.map(describeError).join('; '));
    if (!answer.data) throw new Error(`the API answered ${res.status} without data`);
    return answer.data;
  }

  /** Waits until the API answers an authenticated query (it may still be starting). */
  async waitUntilAnswering(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        await this.graphql('{ me { name } }');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the API at ${this.baseUrl} did not answer within ${ms / 1000} s: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  }

  /** POST /uploads with the file in a multipart field named `file`; the upload's id. */
  async upload(file: string): Promise<string> {
    const form = new FormData();
    form.append('file', new Blob([await readFile(file)]), path.basename(file));
    const res = await fetch(`${this.baseUrl}/uploads`, { method: 'POST', body: form, headers: { authorization: `Bearer ${this.key}` } });
    const body = (await res.json()) as { uploadId?: string; message?: string };
    if (res.status !== 201 || !body.uploadId) throw new Error(`POST /uploads answered ${res.status}: ${body.message ?? JSON.stringify(body)}`);
    return body.uploadId;
  }

  /**
   * A subscription's events, each given to `onData`, until `onData` returns true (then it
   * resolves) or the subscription fails (then it rejects).
   */
  follow<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => boolean): Promise<void> {
    const client = createClient({
      url: `${this.baseUrl.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${this.key}` },
      retryAttempts: 3,
    });
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        dispose();
        void client.dispose();
        if (err) reject(err instanceof Error ? err : new Error(describeFailure(err)));
        else resolve();
      };
      const dispose = client.subscribe<T>({ query, variables }, {
        next: (value) => {
          if (value.errors?.length) settle(new Error(value.errors.map((e) => describeError(e as ApiError)).join('; ')));
          else if (value.data && onData(value.data as T)) settle();
        },
        error: (err) => settle(err ?? new Error('the subscription closed')),
        complete: () => settle(new Error('the subscription ended before the campaign did')),
      });
    });
  }
}

function describeError(e: ApiError): string {
  const issues = e.extensions?.issues?.map((i) => `${i.path}: ${i.message}`).join(', ');
  return issues ? `${e.message} (${issues})` : e.message;
}

function describeFailure(failure: unknown): string {
  if (Array.isArray(failure)) return failure.map((e) => describeError(e as ApiError)).join('; ');
  const f = failure as { code?: number; reason?: string; message?: string };
  return f.message ?? `the WebSocket closed (${f.code ?? '?'} ${f.reason ?? ''})`;
}
