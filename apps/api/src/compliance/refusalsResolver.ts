import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../auth/requestContext';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import {
  MassCallRefusal, MassCallRefusalBulkResult, MassCallRefusalFilterInput, MassCallRefusalInput, type MassCallRefusalView,
} from './refusalTypes';
import { RefusalsService } from './refusalsService';

// The refusal list of mass calls; the same roles as the blacklist's.
@Resolver(() => MassCallRefusal)
export class RefusalsResolver {
  constructor(private readonly service: RefusalsService) {}

  @Query(() => MassCallRefusal, { nullable: true })
  @Roles(...READERS)
  massCallRefusal(@Args('id', { type: () => Int }) id: number): Promise<MassCallRefusalView | null> {
    return this.service.get(id);
  }

  @Query(() => [MassCallRefusal], { description: 'Entries in id order, a page at a time (pass the last id as `after`), narrowed by `filter`.' })
  @Roles(...READERS)
  massCallRefusals(
    @Args('filter', { nullable: true, type: () => MassCallRefusalFilterInput }) filter: object | null,
    @Args('after', { nullable: true, type: () => Int }) after: number | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<MassCallRefusalView[]> {
    return this.service.list(filter, after ?? null, Math.min(Math.max(first, 1), 1000));
  }

  @Mutation(() => MassCallRefusal, { description: 'Puts a number on the refusal list (a number already there keeps its entry, which is returned).' })
  @Roles(...OPERATORS)
  addMassCallRefusal(
    @Args('entry', { type: () => MassCallRefusalInput }) entry: object,
    @Context('dialer') request: RequestContext,
  ): Promise<MassCallRefusalView> {
    return this.service.addOne(entry, request.principal!);
  }

  @Mutation(() => MassCallRefusalBulkResult, { description: 'Adds up to 10,000 numbers in one transaction: all of them, or none when any is bad (each named by its index).' })
  @Roles(...OPERATORS)
  addMassCallRefusals(
    @Args('entries', { type: () => [MassCallRefusalInput] }) entries: object[],
    @Context('dialer') request: RequestContext,
  ): Promise<MassCallRefusalBulkResult> {
    return this.service.addMany(entries, request.principal!);
  }

  @Mutation(() => Boolean, { description: 'Takes a number off the list (the subscriber withdrew the refusal); false when there is no such entry. Audited.' })
  @Roles(...OPERATORS)
  removeMassCallRefusal(@Args('id', { type: () => Int }) id: number, @Context('dialer') request: RequestContext): Promise<boolean> {
    return this.service.remove(id, request.principal!, request.source);
  }
}
