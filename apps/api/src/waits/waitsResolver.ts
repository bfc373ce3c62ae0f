import { Args, Query, Resolver } from '@nestjs/graphql';
import { READERS, Roles } from '../auth/roles';
import { CampaignWaits } from './waitsTypes';
import { WaitsService } from './waitsService';

@Resolver()
export class WaitsResolver {
  constructor(private readonly service: WaitsService) {}

  @Query(() => CampaignWaits, {
    description: "Why is nothing dialing? The campaign's contacts grouped by what they wait for, with the next moment each group becomes callable.",
  })
  @Roles(...READERS)
  campaignWaits(@Args('campaignId') campaignId: string): Promise<CampaignWaits> {
    return this.service.campaignWaits(campaignId);
  }
}
