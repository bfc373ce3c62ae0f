import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import type { CallOutcome } from '../../../../domain/outcomes';
import { graphqlClass } from '../graphql/zodTypes';
import { CallOutcomeEnum } from '../results/resultsTypes';
import { recordingFilterShape } from './recordingFilter';

// The recordings' GraphQL types: one recording with its attempt's number and outcome, a page.

export const RecordingFilterInput = graphqlClass('RecordingFilter', recordingFilterShape, 'input', {
  description: 'Which recordings: any of a period, a campaign, a number, an outcome (none: all of them).',
  names: { outcome: 'CallOutcome' },
});

@ObjectType({ description: 'A recorded call, stored by Asterisk until its retention ends (docs/recording.md).' })
export class CallRecording {
  @Field(() => ID)
  id!: string;

  @Field()
  campaignId!: string;

  @Field(() => ID, { nullable: true, description: 'The attempt recorded (null until the attempt is written, a moment after the call).' })
  attemptId!: string | null;

  @Field(() => String, { nullable: true, description: 'The number called (E.164).' })
  number!: string | null;

  @Field(() => CallOutcomeEnum, { nullable: true })
  outcome!: CallOutcome | null;

  @Field(() => GraphQLISODateTime)
  startedAt!: Date;

  @Field(() => GraphQLISODateTime)
  endedAt!: Date;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => Int)
  bytes!: number;

  @Field(() => GraphQLISODateTime, { description: 'When the retention job deletes it.' })
  expiresAt!: Date;

  @Field({ description: 'Where to play it (GET, with the same credentials; ?download=1 to save it). Every access is audited.' })
  audioPath!: string;
}

@ObjectType({ description: 'A page of recordings in id order; pass endCursor as `after` for the next.' })
export class CallRecordingPage {
  @Field(() => [CallRecording])
  items!: CallRecording[];

  @Field(() => ID, { nullable: true })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;
}
