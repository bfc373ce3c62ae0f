import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles';
import {
  CallerIdNumberInput, CallerIdPool, CallerIdPoolInput, CallerIdPoolPatchInput, type CallerIdPoolView,
} from './callerIdTypes';
import { CallerIdsService } from './callerIdsService';

/** Pools hold the company's registered numbers: only an admin changes them. */
const POOL_EDITORS = ['admin'] as const;
/** Supervisors pick a campaign's pool, so they see them. */
const POOL_READERS = ['admin', 'supervisor'] as const;

@Resolver(() => CallerIdPool)
export class CallerIdsResolver {
  constructor(private readonly service: CallerIdsService) {}

  @Query(() => [CallerIdPool], { description: 'Every caller-ID pool, by name, with its numbers and the campaigns that dial from it.' })
  @Roles(...POOL_READERS)
  callerIdPools(): Promise<CallerIdPoolView[]> {
    return this.service.list();
  }

  @Query(() => CallerIdPool, { nullable: true })
  @Roles(...POOL_READERS)
  callerIdPool(@Args('name') name: string): Promise<CallerIdPoolView | null> {
    return this.service.get(name);
  }

  @Mutation(() => CallerIdPool, { description: 'Creates a pool with its numbers, all or nothing; a number of another pool is refused.' })
  @Roles(...POOL_EDITORS)
  createCallerIdPool(@Args('input', { type: () => CallerIdPoolInput }) input: object): Promise<CallerIdPoolView> {
    return this.service.create(input);
  }

  @Mutation(() => CallerIdPool, { description: 'Changes a pool\'s rotation or what a call back to its numbers reaches.' })
  @Roles(...POOL_EDITORS)
  updateCallerIdPool(
    @Args('name') name: string,
    @Args('patch', { type: () => CallerIdPoolPatchInput }) patch: object,
  ): Promise<CallerIdPoolView> {
    return this.service.update(name, patch);
  }

  @Mutation(() => CallerIdPool, { description: 'Adds numbers to a pool, all or none (a number already in it takes the regions given).' })
  @Roles(...POOL_EDITORS)
  addCallerIdNumbers(
    @Args('pool') pool: string,
    @Args('numbers', { type: () => [CallerIdNumberInput] }) numbers: object[],
  ): Promise<CallerIdPoolView> {
    return this.service.addNumbers(pool, numbers);
  }

  @Mutation(() => CallerIdPool, { description: 'Removes numbers (E.164) from a pool; numbers not in it are ignored.' })
  @Roles(...POOL_EDITORS)
  removeCallerIdNumbers(
    @Args('pool') pool: string,
    @Args('numbers', { type: () => [String] }) numbers: string[],
  ): Promise<CallerIdPoolView> {
    return this.service.removeNumbers(pool, numbers);
  }

  @Mutation(() => Boolean, { description: 'Deletes a pool and its numbers; false when there is none. Refused while a campaign dials from it.' })
  @Roles(...POOL_EDITORS)
  deleteCallerIdPool(@Args('name') name: string): Promise<boolean> {
    return this.service.delete(name);
  }
}
