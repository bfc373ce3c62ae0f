import type { Payload } from '@temporalio/common';
import { z } from 'zod';

// Temporal's remote codec protocol: `{ "payloads": [...] }` in and out, each payload as
// protobuf's JSON form (metadata values and data base64-encoded), as the Temporal UI and CLI send them.

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');

const payloadsBody = z.object({
  payloads: z.array(z.object({
    metadata: z.record(base64).optional(),
    data: base64.optional(),
  }).passthrough()),
});

export type JsonPayload = z.infer<typeof payloadsBody>['payloads'][number];

/** The payloads of a request body; throws with the path of the first bad field. */
export function payloadsOf(body: unknown): Payload[] {
  const parsed = payloadsBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadBody(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data.payloads.map((p) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  }));
}

/** The answer's body for these payloads. */
export function jsonOf(payloads: Payload[]): { payloads: JsonPayload[] } {
  return {
    payloads: payloads.map((p) => ({
      metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
      data: Buffer.from(p.data ?? []).toString('base64'),
    })),
  };
}

export class BadBody extends Error {}
