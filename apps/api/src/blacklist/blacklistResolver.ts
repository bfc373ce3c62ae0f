import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../auth/requestContext';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import {
  BlacklistBulkResult, BlacklistCheck, BlacklistEntry, BlacklistEntryInput, BlacklistFilterInput, type BlacklistEntryView,
} from './blacklistTypes';
import { BlacklistService } from './blacklistService';

@Resolver(() => BlacklistEntry)
export class BlacklistResolver {
  constructor(private readonly service: BlacklistService) {}

  @Query(() => BlacklistEntry, { nullable: true })
  @Roles(...READERS)
  blacklistEntry(@Args('id', { type: () => Int }) id: number): Promise<BlacklistEntryView | null> {
    return this.service.get(id);
  }

  @Query(() => [BlacklistEntry], { description: 'Entries in id order, a page at a time (pass the last id as `after`), narrowed by `filter`.' })
  @Roles(...READERS)
  blacklistEntries(
    @Args('filter', { nullable: true, type: () => BlacklistFilterInput }) filter: object | null,
    @Args('after', { nullable: true, type: () => Int }) after: number | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<BlacklistEntryView[]> {
    return this.service.list(filter, after ?? null, Math.min(Math.max(first, 1), 1000));
  }

  @Query(() => BlacklistCheck, { description: 'Is this number blocked, and by which entry? The gate\'s own lookup, with the campaign\'s ignored groups when one is named.' })
  @Roles(...READERS)
  blacklistCheck(
    @Args('number') number: string,
    @Args('campaignId', { nullable: true, type: () => String }) campaignId: string | null,
    @Args('at', { nullable: true, type: () => String, description: 'ISO 8601 moment to check at (default: now).' }) at: string | null,
  ): Promise<BlacklistCheck> {
    return this.service.check({ number, campaignId, at });
  }

  @Mutation(() => BlacklistEntry, { description: 'Adds one entry (an identical one already there is returned instead).' })
  @Roles(...OPERATORS)
  addBlacklistEntry(
    @Args('entry', { type: () => BlacklistEntryInput }) entry: object,
    @Context('dialer') request: RequestContext,
  ): Promise<BlacklistEntryView> {
    return this.service.addOne(entry, request.principal!);
  }

  @Mutation(() => BlacklistBulkResult, { description: 'Adds up to 10,000 entries in one transaction: all of them, or none when any is bad (each named by its index).' })
  @Roles(...OPERATORS)
  addBlacklistEntries(
    @Args('entries', { type: () => [BlacklistEntryInput] }) entries: object[],
    @Context('dialer') request: RequestContext,
  ): Promise<BlacklistBulkResult> {
    return this.service.addMany(entries, request.principal!);
  }

  @Mutation(() => Boolean, { description: 'Removes an entry; false when there is none. Automatic entries: admin and supervisor only.' })
  @Roles(...OPERATORS)
  removeBlacklistEntry(@Args('id', { type: () => Int }) id: number, @Context('dialer') request: RequestContext): Promise<boolean> {
    return this.service.remove(id, request.principal!, request.source);
  }
}
