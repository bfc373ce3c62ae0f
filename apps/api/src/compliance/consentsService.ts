import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import { listConsents, recordConsent, withdrawConsent, type ConsentRecord } from '../../../../adapters/postgres/contactConsents';
import { consentSchema } from '../../../../domain/consentInput';
import { parseInput } from '../../../../domain/parseInput';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';
import type { ConsentView } from './consentTypes';

// Consent evidence as the API offers it, over adapters/postgres/contactConsents.ts; the ERP may
// also send it with the contact (upsertContacts).

const view = ({ e164, ...r }: ConsentRecord): ConsentView => ({ ...r, number: e164 });

const contactRef = z.object({ campaignId: z.string().min(1, 'must not be empty'), externalId: z.string().trim().min(1, 'must not be empty') });
const moment = z.string().datetime({ offset: true, message: 'an ISO 8601 date and time with its offset, e.g. 2026-12-31T21:00:00Z' });

@Injectable()
export class ConsentsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async record(ref: { campaignId: string; externalId: string }, input: object, actor: string): Promise<ConsentView> {
    const at = parseInput(contactRef, ref);
    const consent = parseInput(consentSchema, withoutNulls(input), 'consent');
    return view(await recordConsent(this.pool, at, consent, actor));
  }

  async list(ref: { campaignId: string; externalId: string }): Promise<ConsentView[]> {
    return (await listConsents(this.pool, parseInput(contactRef, ref))).map(view);
  }

  async withdraw(id: number, at: string | null, who: { actor: string; from: string | null }): Promise<ConsentView | null> {
    const atMs = at === null ? Date.now() : Date.parse(parseInput(moment, at, 'at'));
    const r = await withdrawConsent(this.pool, id, atMs, who);
    return r && view(r);
  }
}
