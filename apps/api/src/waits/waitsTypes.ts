import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { WAIT_GROUPS, type WaitGroup } from '../../../../domain/contactWaits';
import type { CampaignState } from '../../../../domain/outcomes';
import { CampaignStateEnum } from '../campaigns/campaignTypes';

// "Why is nothing dialing?": a campaign's contacts grouped by what they wait for.

export const WaitReasonEnum = Object.fromEntries(WAIT_GROUPS.map((g) => [g, g])) as Record<WaitGroup, WaitGroup>;
registerEnumType(WaitReasonEnum, {
  name: 'WaitReason',
  description: 'What contacts wait for before they can be dialled.',
  valuesMap: {
    calling_hours: { description: "The number's calling hours (detail: its time zones); written by the gate." },
    cap: { description: 'A cap per person or per number is full (detail: the rules); written by the gate.' },
    paused: { description: 'The campaign is paused: until it is resumed; written by the gate.' },
    retry_interval: { description: "The strategy's interval after an attempt (detail: its outcome); written by the record step." },
    speech_failure: { description: 'Reserved: the message could not be made into speech. No step sets it yet.' },
    trunk_down: { description: 'The call found its trunk down (detail: the trunk and why): until it is back; nothing is charged.' },
    channel: { description: "A call waits for a free channel (detail: the campaign's or the trunk's limit)." },
    not_started: { description: 'Pending: no workflow yet (detail: why the campaign has not started them).' },
    no_callable_number: { description: 'Finished with no number left to call (detail: blacklisted or expired): never, unless the blacklist or the dates change.' },
  },
});

@ObjectType({ description: 'Contacts that wait for the same thing.' })
export class WaitGroupCount {
  @Field(() => WaitReasonEnum)
  reason!: WaitGroup;

  @Field(() => String, { nullable: true, description: 'Zones for calling hours, rules for a cap, the limit for a channel, …' })
  detail!: string | null;

  @Field(() => Int)
  contacts!: number;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'The next moment one of them becomes callable; null when no moment is known (a resume, a free channel, never).',
  })
  nextAt!: Date | null;

  @Field(() => Int, { description: 'Of them, those whose moment has passed while they still wait (a worker late or down).' })
  overdue!: number;
}

@ObjectType({ description: "Why a campaign's contacts are not being dialled, from what its steps wrote." })
export class CampaignWaits {
  @Field()
  campaignId!: string;

  @Field(() => CampaignStateEnum)
  state!: CampaignState;

  @Field(() => String, {
    nullable: true,
    description: 'What holds every call of the campaign whatever its contacts wait for: paused, not started (draft), stopped; null while it runs.',
  })
  hold!: string | null;

  @Field(() => Int, { description: 'Contacts in flight (their workflows run).' })
  inFlight!: number;

  @Field(() => Int, { description: 'Contacts in flight with no recorded wait: in a call or between steps.' })
  busy!: number;

  @Field(() => [WaitGroupCount], { description: 'Non-empty groups, the largest first.' })
  groups!: WaitGroupCount[];

  @Field(() => String, {
    nullable: true,
    description: "The trunk of the campaign's calls whose automatic blacklisting is suspended (its rate of invalid-number results jumped far above its usual rate: numbers are held, not blacklisted); null while it adds as its rule says.",
  })
  autoBlacklistSuspended!: string | null;

  @Field(() => GraphQLISODateTime)
  at!: Date;
}
