import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { CampaignSettingsPatch, NewCampaignInput as NewCampaignValue } from '../../../../domain/campaignSettings';
import { actorOf, type RequestContext } from '../auth/requestContext';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import { Campaign, CampaignCounters, CampaignPatchInput, CampaignStateChange, NewCampaignInput } from './campaignTypes';
import { CampaignsService } from './campaignsService';

@Resolver(() => Campaign)
export class CampaignsResolver {
  constructor(private readonly service: CampaignsService) {}

  @Query(() => Campaign, { nullable: true })
  @Roles(...READERS)
  campaign(@Args('id') id: string): Promise<Campaign | null> {
    return this.service.get(id);
  }

  @Query(() => [Campaign], { description: 'Campaigns in id order, a page at a time (pass the last id as `after`).' })
  @Roles(...READERS)
  campaigns(
    @Args('after', { nullable: true, type: () => String }) after: string | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<Campaign[]> {
    return this.service.list(after ?? null, Math.min(Math.max(first, 1), 500));
  }

  @ResolveField(() => CampaignCounters)
  counters(@Parent() campaign: Campaign): Promise<CampaignCounters> {
    return this.service.counters(campaign.id);
  }

  @Mutation(() => Campaign, { description: 'A draft campaign; start it with startCampaign.' })
  @Roles('admin', 'supervisor', 'erp')
  async createCampaign(
    @Args('input', { type: () => NewCampaignInput }) input: NewCampaignValue,
    @Context('dialer') request: RequestContext,
  ): Promise<Campaign | null> {
    const id = await this.service.create(input, actorOf(request.principal!));
    return this.service.get(id);
  }

  @Mutation(() => Campaign, { description: 'Changes settings; the others keep their values.' })
  @Roles(...OPERATORS)
  async updateCampaign(
    @Args('id') id: string,
    @Args('patch', { type: () => CampaignPatchInput }) patch: CampaignSettingsPatch,
    @Context('dialer') request: RequestContext,
  ): Promise<Campaign | null> {
    await this.service.update(id, patch, actorOf(request.principal!));
    return this.service.get(id);
  }

  @Mutation(() => CampaignStateChange, { description: 'Sets the campaign running and starts its workflow; a second start does nothing.' })
  @Roles(...OPERATORS)
  async startCampaign(@Args('id') id: string, @Context('dialer') request: RequestContext): Promise<CampaignStateChange> {
    const r = await this.service.start(id, actorOf(request.principal!));
    return { id, ...r, changed: r.from !== r.state };
  }

  @Mutation(() => CampaignStateChange, { description: 'No new call leaves after this returns; calls in progress finish.' })
  @Roles(...OPERATORS)
  async pauseCampaign(@Args('id') id: string, @Context('dialer') request: RequestContext): Promise<CampaignStateChange> {
    const r = await this.service.control(id, 'pause', actorOf(request.principal!));
    return { id, ...r, changed: r.from !== r.state };
  }

  @Mutation(() => CampaignStateChange, { description: 'Resumes a paused campaign.' })
  @Roles(...OPERATORS)
  async resumeCampaign(@Args('id') id: string, @Context('dialer') request: RequestContext): Promise<CampaignStateChange> {
    const r = await this.service.control(id, 'resume', actorOf(request.principal!));
    return { id, ...r, changed: r.from !== r.state };
  }

  @Mutation(() => CampaignStateChange, { description: 'Stops the campaign for good: every contact not in a call ends cancelled.' })
  @Roles(...OPERATORS)
  async stopCampaign(@Args('id') id: string, @Context('dialer') request: RequestContext): Promise<CampaignStateChange> {
    const r = await this.service.control(id, 'stop', actorOf(request.principal!));
    return { id, ...r, changed: r.from !== r.state };
  }
}
