import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';

// The compliance report's GraphQL types (adapters/postgres/complianceReport.ts computes it): each
// section's verdict with the figures and the rows that support it. Ids only, never a number.

@ObjectType({ description: 'Attempts that broke a rule: how many, and the first of them by id.' })
export class ComplianceFinding {
  @Field(() => Int)
  count!: number;

  @Field(() => [ID], { description: 'Up to 20 attempt ids, in id order (look them up with `attempts` or `contact`).' })
  attemptIds!: string[];
}

@ObjectType({ description: 'Local hours [start, end) on the subscriber\'s clock.' })
export class ComplianceLocalHours {
  @Field({ description: 'HH:MM, inclusive.' })
  start!: string;

  @Field({ description: 'HH:MM, exclusive (24:00 is midnight).' })
  end!: string;
}

@ObjectType({ description: "A campaign's legal window as its policy sets it." })
export class ComplianceWindow {
  @Field()
  campaignId!: string;

  @Field({ description: 'The legal policy (none, ru_230fz).' })
  policy!: string;

  @Field(() => ComplianceLocalHours, { nullable: true, description: 'On working days; null: the policy sets no hours.' })
  workingDay!: ComplianceLocalHours | null;

  @Field(() => ComplianceLocalHours, { nullable: true, description: 'On weekends and public holidays (the campaign\'s calendar); null: none.' })
  restDay!: ComplianceLocalHours | null;
}

@ObjectType({ description: 'Dialled calls that started in one local hour of the subscriber\'s (first candidate) zone.' })
export class ComplianceHourRow {
  @Field(() => Int, { description: '0..23.' })
  hour!: number;

  @Field(() => Int)
  calls!: number;

  @Field(() => Int)
  workingDayCalls!: number;

  @Field(() => Int)
  restDayCalls!: number;

  @Field(() => Int, { description: 'Of them, outside the legal window of their local day in some candidate zone.' })
  outsideLegal!: number;

  @Field(() => Int, { description: "Of them, outside the campaign's own hours or dates of their local day in some candidate zone." })
  outsideCampaign!: number;
}

@ObjectType({ description: 'Calls by hour in the subscriber\'s zone: passed when none is outside the legal window or the campaign\'s hours.' })
export class ComplianceHours {
  @Field()
  passed!: boolean;

  @Field(() => Int, { description: 'Calls dialled in the period (refusals placed no call).' })
  dialled!: number;

  @Field(() => [ComplianceWindow])
  windows!: ComplianceWindow[];

  @Field(() => [ComplianceHourRow], { description: 'Hours with calls, in order.' })
  byHour!: ComplianceHourRow[];

  @Field(() => ComplianceFinding)
  outsideLegal!: ComplianceFinding;

  @Field(() => ComplianceFinding)
  outsideCampaign!: ComplianceFinding;
}

@ObjectType({ description: 'Per period; null: no cap.' })
export class ComplianceCapLimits {
  @Field(() => Int, { nullable: true })
  day!: number | null;

  @Field(() => Int, { nullable: true })
  week!: number | null;

  @Field(() => Int, { nullable: true })
  month!: number | null;
}

@ObjectType({ description: 'Calls per period.' })
export class ComplianceCapCounts {
  @Field(() => Int)
  day!: number;

  @Field(() => Int)
  week!: number;

  @Field(() => Int)
  month!: number;
}

@ObjectType({ description: "A campaign's person caps and the most calls a person had, as its policy counts them." })
export class ComplianceCampaignCaps {
  @Field()
  campaignId!: string;

  @Field()
  policy!: string;

  @Field({ description: 'calendar: the local day, ISO week and month; rolling: the last 24 hours, 7 and 30 days.' })
  period!: string;

  @Field({ description: 'Whether a call nobody answered counts (busy, declined, no answer, invalid, congestion).' })
  countUnanswered!: boolean;

  @Field(() => ComplianceCapLimits, { description: "The caps the gate applied: the policy's and the campaign's, the lower." })
  caps!: ComplianceCapLimits;

  @Field(() => ComplianceCapCounts, { description: "The most calls a person had in a period, counted at a call of this campaign (that call and the person's calls of every campaign before it)." })
  max!: ComplianceCapCounts;

  @Field(() => Int, { description: "This campaign's calls in the period that count." })
  countedCalls!: number;

  @Field(() => Int)
  personsOver!: number;
}

@ObjectType({ description: 'A person who had more calls in a period than the cap that applied.' })
export class CompliancePersonOverCap {
  @Field({ description: "The person's id: the ERP's person id, or contact:<campaign>/<external id>." })
  personId!: string;

  @Field()
  campaignId!: string;

  @Field({ description: 'day, week or month.' })
  period!: string;

  @Field(() => Int, { description: 'The most calls in that period.' })
  calls!: number;

  @Field(() => Int)
  cap!: number;

  @Field(() => [ID], { description: 'The calls that went over the cap (up to 20).' })
  attemptIds!: string[];
}

@ObjectType({ description: 'Calls per person per day, week and month against the caps: passed when nobody went over one.' })
export class ComplianceCaps {
  @Field()
  passed!: boolean;

  @Field(() => [ComplianceCampaignCaps])
  campaigns!: ComplianceCampaignCaps[];

  @Field(() => Int, { description: 'Persons over any cap.' })
  personsOver!: number;

  @Field(() => [CompliancePersonOverCap], { description: 'The first 100 (person, campaign, period) over a cap.' })
  overCap!: CompliancePersonOverCap[];
}

@ObjectType({ description: 'A rule that failed in refused calls\' proofs, and how often.' })
export class ComplianceRuleCount {
  @Field()
  rule!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Refusals of one reason.' })
export class ComplianceRefusalReason {
  @Field({ description: 'As the proof names it: blacklisted, outside_window, cap_reached, mass_call_refused, no_consent, … (empty: none named).' })
  reason!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => [ComplianceRuleCount], { description: 'The failed checks in their proofs.' })
  rules!: ComplianceRuleCount[];
}

@ObjectType({ description: "The gate's refusals by reason: passed when every one names its reason and a failed check." })
export class ComplianceRefusals {
  @Field()
  passed!: boolean;

  @Field(() => Int)
  total!: number;

  @Field(() => [ComplianceRefusalReason])
  byReason!: ComplianceRefusalReason[];

  @Field(() => ComplianceFinding, { description: 'Refusals whose proof names no reason or no failed check.' })
  unexplained!: ComplianceFinding;
}

@ObjectType({ description: 'A check dialled calls\' proofs lack or failed.' })
export class ComplianceProofGap {
  @Field()
  rule!: string;

  @Field(() => Int)
  missing!: number;

  @Field(() => Int)
  failed!: number;
}

@ObjectType({ description: "Dialled calls' proofs: passed when every one says allowed and holds every check it should, passed." })
export class ComplianceProofs {
  @Field()
  passed!: boolean;

  @Field(() => Int)
  dialled!: number;

  @Field(() => Int)
  complete!: number;

  @Field(() => ComplianceFinding)
  incomplete!: ComplianceFinding;

  @Field(() => Int, { description: 'Dialled calls whose proof does not say allowed.' })
  notAllowed!: number;

  @Field(() => [ComplianceProofGap])
  byRule!: ComplianceProofGap[];
}

@ObjectType({ description: 'Whether the calls of a campaign (or every campaign) in a period broke a rule, section by section, with the evidence.' })
export class ComplianceReport {
  @Field(() => String, { nullable: true, description: 'null: every campaign.' })
  campaignId!: string | null;

  @Field(() => GraphQLISODateTime)
  from!: Date;

  @Field(() => GraphQLISODateTime)
  to!: Date;

  @Field(() => GraphQLISODateTime)
  generatedAt!: Date;

  @Field({ description: 'Every section passed: no rule was broken.' })
  passed!: boolean;

  @Field(() => ComplianceHours)
  hours!: ComplianceHours;

  @Field(() => ComplianceCaps)
  caps!: ComplianceCaps;

  @Field(() => ComplianceRefusals)
  refusals!: ComplianceRefusals;

  @Field(() => ComplianceProofs)
  proofs!: ComplianceProofs;
}
