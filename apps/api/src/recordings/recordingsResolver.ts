import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { Pool } from 'pg';
import type { RequestContext } from '../auth/requestContext';
import { Roles } from '../auth/roles';
import { PG_POOL } from '../infra/tokens';
import { auditRead } from '../personalData/readAudit';
import { RECORDING_ROLES } from './recordingRoles';
import { RecordingsService } from './recordingsService';
import { CallRecordingPage, RecordingFilterInput } from './recordingsTypes';

@Resolver()
export class RecordingsResolver {
  constructor(private readonly service: RecordingsService, @Inject(PG_POOL) private readonly pool: Pool) {}

  @Query(() => CallRecordingPage, {
    description: 'Recorded calls still stored, in id order, a page at a time (pass endCursor as `after`). Hear one at its audioPath.',
  })
  @Roles(...RECORDING_ROLES)
  async recordings(
    @Args('filter', { type: () => RecordingFilterInput, nullable: true }) filter: object | null,
    @Args('first', { type: () => Int, defaultValue: 100, description: 'At most 1000.' }) first: number,
    @Args('after', { type: () => ID, nullable: true }) after: string | null,
    @Context('dialer') request: RequestContext,
  ): Promise<CallRecordingPage> {
    const page = await this.service.search(filter ?? {}, first, after ?? null);
    // Each recording names its number: the read is logged, with the filter but not the number searched by.
    const f = (filter ?? {}) as { campaignId?: string | null; from?: string | null; to?: string | null; outcome?: string | null; number?: string | null };
    await auditRead(this.pool, request, {
      what: 'recordings', campaignId: f.campaignId ?? null,
      attemptIds: page.items.flatMap((r) => (r.attemptId === null ? [] : [Number(r.attemptId)])),
      filter: { campaignId: f.campaignId ?? null, from: f.from ?? null, to: f.to ?? null, outcome: f.outcome ?? null, byNumber: !!f.number },
      rows: page.items.length,
    });
    return page;
  }
}
