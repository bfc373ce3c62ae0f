import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { actorOf, type RequestContext } from '../auth/requestContext';
import { READERS, Roles } from '../auth/roles';
import { enumOf } from '../graphql/zodTypes';
import { CAMPAIGN_PURPOSES } from '../../../../domain/ruleProfiles';
import { RuleProfile, RuleProfilePatchInput, type RuleProfileView } from './ruleProfileTypes';
import { RuleProfilesService } from './ruleProfilesService';

// The campaign settings' enum of the same values (one name in the schema).
const Purpose = enumOf('Purpose', CAMPAIGN_PURPOSES);

// The rule profiles: everyone reads them; only an admin changes what the law is taken to require.
@Resolver(() => RuleProfile)
export class RuleProfilesResolver {
  constructor(private readonly service: RuleProfilesService) {}

  @Query(() => [RuleProfile], { description: 'Every purpose\'s rule profile, with the laws it encodes.' })
  @Roles(...READERS)
  ruleProfiles(): Promise<RuleProfileView[]> {
    return this.service.list();
  }

  @Mutation(() => RuleProfile, { description: 'Changes a purpose\'s rules (admin only, audited); its campaigns apply them from their next check.' })
  @Roles('admin')
  updateRuleProfile(
    @Args('purpose', { type: () => Purpose }) purpose: string,
    @Args('patch', { type: () => RuleProfilePatchInput }) patch: object,
    @Context('dialer') request: RequestContext,
  ): Promise<RuleProfileView> {
    return this.service.update(purpose, patch, { actor: actorOf(request.principal!), from: request.source });
  }
}
