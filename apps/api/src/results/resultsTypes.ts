import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { CALL_OUTCOMES, CONTACT_STATES, type CallOutcome, type ContactState } from '../../../../domain/outcomes';
import { attemptFilterShape } from '../../../../domain/resultsFilter';
import { enumOf, graphqlClass } from '../graphql/zodTypes';
import { WaitReasonEnum } from '../waits/waitsTypes';

// The results' GraphQL types: attempts with the gate's proof, a page of them, one contact.

export const CallOutcomeEnum = enumOf('CallOutcome', CALL_OUTCOMES);
export const ContactStateEnum = enumOf('ContactState', CONTACT_STATES);

export const AttemptFilterInput = graphqlClass('AttemptFilter', attemptFilterShape, 'input', {
  description: 'Which attempts: a campaign, a number or both, optionally a time range and an outcome.',
  names: { outcome: 'CallOutcome' },
});

@ObjectType({ description: 'One rule the gate checked.' })
export class GateCheck {
  @Field({ description: 'campaign_running, not_blacklisted, calling_hours, cap_<person|number>_<day|week|month>, …' })
  rule!: string;

  @Field()
  passed!: boolean;

  @Field(() => String, { nullable: true, description: 'What it found: the campaign state, the blacklist entry, the zones, the cap used of its limit.' })
  detail!: string | null;
}

@ObjectType({ description: "The gate's decision kept with the attempt: why the call was, or was not, placed." })
export class GateProof {
  @Field()
  allowed!: boolean;

  @Field(() => String, { nullable: true, description: 'The rule that refused: blacklisted, campaign_paused, campaign_stopped, outside_window, cap_reached.' })
  refusal!: string | null;

  @Field(() => GraphQLISODateTime)
  checkedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the refused contact may be tried again, as the gate computed it.' })
  retryAt!: Date | null;

  @Field(() => [GateCheck])
  checks!: GateCheck[];
}

@ObjectType({ description: 'One attempt: a call placed, or a refusal by the gate (outcome refused) with its proof.' })
export class Attempt {
  @Field(() => ID)
  id!: string;

  @Field()
  campaignId!: string;

  @Field({ description: "The ERP's id of the contact." })
  externalId!: string;

  @Field(() => Int, { description: "The number's place in the contact's list (1 is dialled first)." })
  phonePosition!: number;

  @Field(() => String, { nullable: true, description: "The number dialled (E.164); null once the contact's personal data was deleted." })
  number!: string | null;

  @Field(() => Int, { description: 'Which call to this number it was (0 for a refusal).' })
  numberAttempt!: number;

  @Field(() => String, {
    nullable: true,
    description: "The number the call presented as caller ID (E.164): a pool's, the trunk's or the campaign's (docs/callerId.md); null for a refusal, where nothing was dialled.",
  })
  callerId!: string | null;

  @Field(() => CallOutcomeEnum)
  outcome!: CallOutcome;

  @Field(() => GraphQLISODateTime)
  startedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  answeredAt!: Date | null;

  @Field(() => GraphQLISODateTime)
  endedAt!: Date;

  @Field(() => Int, { nullable: true, description: "Asterisk's hangup cause (Q.850)." })
  hangupCause!: number | null;

  @Field(() => String, { nullable: true, description: 'Keys the subscriber pressed.' })
  dtmf!: string | null;

  @Field(() => Int, { nullable: true, description: 'How long the subscriber listened to the message.' })
  listenedMs!: number | null;

  @Field(() => [String], { description: "The subscriber's time zones the hours were read in." })
  timeZones!: string[];

  @Field(() => GateProof)
  gate!: GateProof;
}

@ObjectType({ description: 'A page of attempts in id order; pass endCursor as `after` for the next.' })
export class AttemptPage {
  @Field(() => [Attempt])
  items!: Attempt[];

  @Field(() => ID, { nullable: true, description: 'The last attempt id of this page (null when it is empty).' })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}

@ObjectType({ description: "A contact's number." })
export class ContactNumber {
  @Field(() => Int)
  position!: number;

  @Field({ description: 'E.164' })
  number!: string;
}

@ObjectType({ description: 'What a contact in flight waits for, as its steps last wrote it.' })
export class ContactWait {
  @Field(() => WaitReasonEnum)
  reason!: string;

  @Field(() => String, { nullable: true })
  detail!: string | null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it may be called again; null: when something else happens (a resume).' })
  until!: Date | null;

  @Field(() => GraphQLISODateTime)
  since!: Date;
}

@ObjectType({ description: "One contact's results: its state, numbers, current wait and every attempt with the gate's proof." })
export class ContactResults {
  @Field(() => ID)
  id!: string;

  @Field()
  campaignId!: string;

  @Field()
  externalId!: string;

  @Field(() => ContactStateEnum)
  state!: ContactState;

  @Field(() => CallOutcomeEnum, { nullable: true, description: 'The outcome that ended it.' })
  outcome!: CallOutcome | null;

  @Field(() => Int, { description: 'Calls placed (refusals are not calls).' })
  calls!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => [ContactNumber])
  numbers!: ContactNumber[];

  @Field(() => ContactWait, { nullable: true, description: 'Null when it waits for nothing the steps know of (calling, finished, not started).' })
  wait!: ContactWait | null;

  @Field(() => [Attempt], { description: 'Every attempt, in order.' })
  attempts!: Attempt[];

  @Field({ description: 'Its workflow id in Temporal: contact/<campaign>/<external id>.' })
  workflowId!: string;

  @Field({ description: "A link to its workflow's history in the Temporal UI." })
  temporalUrl!: string;
}
