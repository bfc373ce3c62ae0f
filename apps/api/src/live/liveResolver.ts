import { Args, Context, Resolver, Subscription } from '@nestjs/graphql';
import { InputError } from '../../../../domain/inputError';
import { READERS, Roles } from '../auth/roles';
import { CampaignCounters } from '../campaigns/campaignTypes';
import { CampaignsService } from '../campaigns/campaignsService';
import { LiveCounters } from './liveCounters';

/** What Mercurius gives each subscription as `pubsub`. */
interface SubscriptionPubSub {
  subscribe(topic: string): Promise<AsyncIterable<unknown>>;
}

@Resolver()
export class LiveResolver {
  constructor(private readonly live: LiveCounters, private readonly campaigns: CampaignsService) {}

  @Subscription(() => CampaignCounters, {
    description: "A campaign's counters now, then again within a second of every change (an attempt recorded, a contact finished).",
  })
  @Roles(...READERS)
  async campaignCounters(@Args('campaignId') campaignId: string, @Context('pubsub') pubsub: SubscriptionPubSub): Promise<AsyncIterable<unknown>> {
    if (!(await this.campaigns.get(campaignId))) {
      throw new InputError(`campaign ${campaignId} does not exist`, [{ path: 'campaignId', message: 'does not exist' }]);
    }
    const events = await pubsub.subscribe(this.live.topic(campaignId));
    return this.live.watch(campaignId, events);
  }
}
