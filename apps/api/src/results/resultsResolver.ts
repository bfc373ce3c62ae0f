import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { READERS, Roles } from '../auth/roles';
import { AttemptFilterInput, AttemptPage, ContactResults } from './resultsTypes';
import { ResultsService } from './resultsService';

@Resolver()
export class ResultsResolver {
  constructor(private readonly service: ResultsService) {}

  @Query(() => AttemptPage, {
    description: 'Attempts in id order, a page at a time: pass the endCursor of a page as `after` for the next (keyset paging).',
  })
  @Roles(...READERS)
  attempts(
    @Args('filter', { type: () => AttemptFilterInput }) filter: object,
    @Args('first', { type: () => Int, defaultValue: 100, description: 'At most 1000.' }) first: number,
    @Args('after', { type: () => ID, nullable: true }) after: string | null,
  ): Promise<AttemptPage> {
    return this.service.attempts(filter, first, after ?? null);
  }

  @Query(() => ContactResults, { nullable: true, description: "A contact by the ERP's id, with its attempts and the gate's proof of each." })
  @Roles(...READERS)
  contact(@Args('campaignId') campaignId: string, @Args('externalId') externalId: string): Promise<ContactResults | null> {
    return this.service.contact(campaignId, externalId);
  }
}
