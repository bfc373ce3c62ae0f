import { Inject } from '@nestjs/common';
import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { Pool } from 'pg';
import { actorOf, type RequestContext } from '../auth/requestContext';
import { OPERATORS, Roles } from '../auth/roles';
import { PG_POOL } from '../infra/tokens';
import { auditRead } from '../personalData/readAudit';
import { Consent, ConsentInput, type ConsentView } from './consentTypes';
import { ConsentsService } from './consentsService';

// Consent evidence per contact and number. Personal data (numbers, documents): the roles that
// write contacts read it, the viewer does not.
@Resolver(() => Consent)
export class ConsentsResolver {
  constructor(private readonly service: ConsentsService, @Inject(PG_POOL) private readonly pool: Pool) {}

  @Query(() => [Consent], { description: 'A contact\'s consent evidence, newest given first.' })
  @Roles(...OPERATORS)
  async contactConsents(
    @Args('campaignId') campaignId: string, @Args('externalId') externalId: string, @Context('dialer') request: RequestContext,
  ): Promise<ConsentView[]> {
    const consents = await this.service.list({ campaignId, externalId });
    // Numbers and documents are personal data: the read is logged, with ids only.
    await auditRead(this.pool, request, {
      what: 'contactConsents', campaignId, contactIds: [...new Set(consents.map((c) => c.contactId))], rows: consents.length,
    });
    return consents;
  }

  @Mutation(() => Consent, {
    description: 'Records consent for one of a contact\'s numbers (source and givenAt required); the same evidence again (number, source, givenAt) updates its document, channel, expiry and withdrawal.',
  })
  @Roles(...OPERATORS)
  recordConsent(
    @Args('campaignId') campaignId: string,
    @Args('externalId') externalId: string,
    @Args('consent', { type: () => ConsentInput }) consent: object,
    @Context('dialer') request: RequestContext,
  ): Promise<ConsentView> {
    return this.service.record({ campaignId, externalId }, consent, actorOf(request.principal!));
  }

  @Mutation(() => Consent, { nullable: true, description: 'Withdraws a consent at `at` (default now; a withdrawal already recorded stands); null when there is no such consent. Audited.' })
  @Roles(...OPERATORS)
  withdrawConsent(
    @Args('id', { type: () => Int }) id: number,
    @Args('at', { nullable: true, type: () => String, description: 'ISO 8601 moment of the withdrawal (default: now).' }) at: string | null,
    @Context('dialer') request: RequestContext,
  ): Promise<ConsentView | null> {
    return this.service.withdraw(id, at ?? null, { actor: actorOf(request.principal!), from: request.source });
  }
}
