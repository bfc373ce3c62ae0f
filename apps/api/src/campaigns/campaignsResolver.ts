import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { CampaignSettingsPatch, NewCampaignInput as NewCampaignValue } from '../../../../domain/campaignSettings';
import { actorOf, type RequestContext } from '../auth/requestContext';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import { Campaign, CampaignCounters, CampaignPatchInput, CampaignStateChange, NewCampaignInput } from './campaignTypes';
import { CampaignsService } from './campaignsService';

const TEMPLATE_VERSION = {
  type: () => Int, nullable: true,
  description: 'A version of the campaign\'s template to pin (it must exist); without it a template given pins its latest version.',
};

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

  @ResolveField(() => Int, {
    nullable: true,
    description: 'The version of its template the campaign says: pinned when the template was given (its latest then, or the one named), kept through later edits of the template.',
  })
  templateVersion(@Parent() campaign: Campaign): Promise<number | null> {
    return this.service.templateVersion(campaign.id);
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
    @Args('templateVersion', TEMPLATE_VERSION) templateVersion: number | null,
  ): Promise<Campaign | null> {
    const id = await this.service.create(input, actorOf(request.principal!), templateVersion ?? null);
    return this.service.get(id);
  }

  @Mutation(() => Campaign, {
    description: 'Changes settings; the others keep their values. A template its contacts lack a variable of is refused, naming the variable and how many lack it.',
  })
  @Roles(...OPERATORS)
  async updateCampaign(
    @Args('id') id: string,
    @Args('patch', { type: () => CampaignPatchInput }) patch: CampaignSettingsPatch,
    @Context('dialer') request: RequestContext,
    @Args('templateVersion', TEMPLATE_VERSION) templateVersion: number | null,
  ): Promise<Campaign | null> {
    await this.service.update(id, patch, actorOf(request.principal!), templateVersion ?? null);
    return this.service.get(id);
  }

  @Mutation(() => CampaignStateChange, {
    description: 'Sets the campaign running and starts its workflow; a second start does nothing. Refused, naming the variable and how many contacts lack it, when contacts lack a variable the template uses.',
  })
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

  @Mutation(() => CampaignStateChange, { description: 'Resumes a paused campaign (refused as startCampaign is when contacts lack a variable).' })
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
