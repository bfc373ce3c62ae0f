import { Inject } from '@nestjs/common';
import { Args, Context, ID, Int, Query, Resolver } from '@nestjs/graphql';
import type { Pool } from 'pg';
import type { RequestContext } from '../auth/requestContext';
import { READERS, Roles } from '../auth/roles';
import { PG_POOL } from '../infra/tokens';
import { auditRead } from '../personalData/readAudit';
import { AttemptFilterInput, AttemptPage, ContactResults } from './resultsTypes';
import { ResultsService } from './resultsService';

@Resolver()
export class ResultsResolver {
  constructor(private readonly service: ResultsService, @Inject(PG_POOL) private readonly pool: Pool) {}

  @Query(() => AttemptPage, {
    description: 'Attempts in id order, a page at a time: pass the endCursor of a page as `after` for the next (keyset paging).',
  })
  @Roles(...READERS)
  async attempts(
    @Args('filter', { type: () => AttemptFilterInput }) filter: object,
    @Args('first', { type: () => Int, defaultValue: 100, description: 'At most 1000.' }) first: number,
    @Args('after', { type: () => ID, nullable: true }) after: string | null,
    @Context('dialer') request: RequestContext,
  ): Promise<AttemptPage> {
    const page = await this.service.attempts(filter, first, after ?? null);
    // Numbers are personal data: the read is logged, with the filter but not the number searched by.
    const f = filter as { campaignId?: string | null; from?: string | null; to?: string | null; outcome?: string | null; number?: string | null };
    await auditRead(this.pool, request, {
      what: 'attempts', campaignId: f.campaignId ?? null, attemptIds: page.items.map((a) => Number(a.id)),
      filter: { campaignId: f.campaignId ?? null, from: f.from ?? null, to: f.to ?? null, outcome: f.outcome ?? null, byNumber: !!f.number },
      rows: page.items.length,
    });
    return page;
  }

  @Query(() => ContactResults, { nullable: true, description: "A contact by the ERP's id, with its attempts and the gate's proof of each." })
  @Roles(...READERS)
  async contact(
    @Args('campaignId') campaignId: string, @Args('externalId') externalId: string, @Context('dialer') request: RequestContext,
  ): Promise<ContactResults | null> {
    const contact = await this.service.contact(campaignId, externalId);
    await auditRead(this.pool, request, { what: 'contact', campaignId, contactIds: contact ? [Number(contact.id)] : [], rows: contact ? 1 : 0 });
    return contact;
  }
}
