import { Args, ID, Int, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../auth/roles';
import { RECORDING_ROLES } from './recordingRoles';
import { RecordingsService } from './recordingsService';
import { CallRecordingPage, RecordingFilterInput } from './recordingsTypes';

@Resolver()
export class RecordingsResolver {
  constructor(private readonly service: RecordingsService) {}

  @Query(() => CallRecordingPage, {
    description: 'Recorded calls still stored, in id order, a page at a time (pass endCursor as `after`). Hear one at its audioPath.',
  })
  @Roles(...RECORDING_ROLES)
  recordings(
    @Args('filter', { type: () => RecordingFilterInput, nullable: true }) filter: object | null,
    @Args('first', { type: () => Int, defaultValue: 100, description: 'At most 1000.' }) first: number,
    @Args('after', { type: () => ID, nullable: true }) after: string | null,
  ): Promise<CallRecordingPage> {
    return this.service.search(filter ?? {}, first, after ?? null);
  }
}
