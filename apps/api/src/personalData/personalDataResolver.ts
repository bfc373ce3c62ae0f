import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { actorOf, type RequestContext } from '../auth/requestContext';
import { Roles } from '../auth/roles';
import { PersonalDataDeletionJob, PersonalDataFilterInput } from './personalDataTypes';
import { PersonalDataService } from './personalDataService';

@Resolver()
export class PersonalDataResolver {
  constructor(private readonly service: PersonalDataService) {}

  @Mutation(() => PersonalDataDeletionJob, {
    description: "Deletes the personal data of the filter's contacts (names, numbers, variables, message texts, import lines, "
      + 'recordings, personal audio, workflow histories) and keeps their anonymous counts (docs/personalData.md). Answers with '
      + 'the job at once; ask personalDataDeletion(jobId). Admins may use any filter; an ERP names its contacts (contactIds, '
      + 'or campaignId with externalIds). The same requestId twice is the same job.',
  })
  @Roles('admin', 'erp')
  deletePersonalData(
    @Args('filter', { type: () => PersonalDataFilterInput }) filter: object,
    @Args('requestId', { type: () => String, nullable: true, description: 'Makes a retried request the same job.' }) requestId: string | null,
    @Context('dialer') request: RequestContext,
  ): Promise<PersonalDataDeletionJob> {
    const principal = request.principal!;
    return this.service.start(filter, requestId ?? null, { actor: actorOf(principal), role: principal.role });
  }

  @Query(() => PersonalDataDeletionJob, { nullable: true, description: 'A deletion of personal data: its state and counts so far.' })
  @Roles('admin', 'erp')
  personalDataDeletion(@Args('jobId', { type: () => ID }) jobId: string): Promise<PersonalDataDeletionJob | null> {
    return this.service.job(jobId);
  }
}
