import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { CAMPAIGN_STATES, type CampaignState } from '../../../../domain/outcomes';
import { campaignPatchSchema, campaignSettingsSchema, newCampaignSchema } from '../../../../domain/campaignSettings';
import { graphqlClass, type TypeNames } from '../graphql/zodTypes';

// Caps per person and per number have one shape.
const names: TypeNames = { 'caps.person': 'CapsPerPeriod', 'caps.number': 'CapsPerPeriod' };

// The campaign's GraphQL types, from the one settings schema (domain/campaignSettings.ts).

export const CampaignStateEnum = Object.fromEntries(CAMPAIGN_STATES.map((s) => [s, s])) as Record<CampaignState, CampaignState>;
registerEnumType(CampaignStateEnum, { name: 'CampaignState' });

export const NewCampaignInput = graphqlClass('NewCampaignInput', newCampaignSchema.innerType(), 'input', {
  description: 'A new campaign: its id and any settings (the others take their defaults).', names,
});

export const CampaignPatchInput = graphqlClass('CampaignPatchInput', campaignPatchSchema, 'input', {
  partial: true, description: 'Settings to change; a field not given keeps its value.', names,
});

export const CampaignSettings = graphqlClass('CampaignSettings', campaignSettingsSchema.innerType(), 'output', {
  description: 'Every setting of a campaign, as stored.', names,
});

@ObjectType({ description: 'How many, under one name (an outcome, a rule).' })
export class NamedCount {
  @Field()
  name!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "A campaign's contacts counted by state, and its calls placed." })
export class CampaignCounters {
  @Field(() => Int)
  contacts!: number;

  @Field(() => Int)
  pending!: number;

  @Field(() => Int)
  inProgress!: number;

  @Field(() => Int, { description: 'Contacts finished: done, failed, blacklisted, refused, expired or cancelled.' })
  finished!: number;

  @Field(() => Int)
  calls!: number;

  @Field(() => [NamedCount], { description: 'Contacts done, by the outcome that ended them (answered, operator, machine…).' })
  doneByOutcome!: NamedCount[];

  @Field(() => [NamedCount], {
    description: 'Refusals recorded by the gate (no call placed), by the rule: blacklisted, outside_window, cap_reached, campaign_paused, campaign_stopped.',
  })
  refusedByRule!: NamedCount[];
}

@ObjectType({ description: 'A campaign: its settings and where it stands.' })
export class Campaign {
  @Field()
  id!: string;

  @Field(() => CampaignStateEnum)
  state!: CampaignState;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  startedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => CampaignSettings)
  settings!: object;
}

@ObjectType({ description: 'What a life-cycle mutation did.' })
export class CampaignStateChange {
  @Field()
  id!: string;

  @Field(() => CampaignStateEnum, { description: 'The state before the call.' })
  from!: CampaignState;

  @Field(() => CampaignStateEnum, { description: 'The state after it.' })
  state!: CampaignState;

  @Field({ description: 'False when the campaign was already in that state (nothing was done).' })
  changed!: boolean;
}
