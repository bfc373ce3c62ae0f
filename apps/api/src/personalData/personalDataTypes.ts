import { Field, Int, ObjectType } from '@nestjs/graphql';
import { personalDataFilterSchema } from '../../../../domain/personalDataFilter';
import { graphqlClass } from '../graphql/zodTypes';

// The personal data deletion's GraphQL types (docs/personalData.md): its filter, and the job
// the deletion runs as, with its counts so far.

export const PersonalDataFilterInput = graphqlClass('PersonalDataFilter', personalDataFilterSchema, 'input', {
  description: 'Which contacts: every criterion narrows the set; a filter with none is refused unless it is exactly { all: true }.',
  names: { states: 'ContactState' },
});

@ObjectType({ description: "A deletion of contacts' personal data: a job that runs a batch at a time. Counts are rows (or files) so far." })
export class PersonalDataDeletionJob {
  @Field({ description: 'Ask personalDataDeletion(jobId) for its progress.' })
  jobId!: string;

  @Field({ description: 'running, completed, failed (or terminated, cancelled, timed_out).' })
  state!: string;

  @Field(() => Int, { nullable: true, description: 'Contacts the filter took when the job started (null until it counted them).' })
  matched!: number | null;

  @Field(() => Int, { description: 'Contacts whose personal data is deleted.' })
  contacts!: number;

  @Field(() => Int) phones!: number;
  @Field(() => Int) variables!: number;
  @Field(() => Int) consents!: number;
  @Field(() => Int) preparedMessages!: number;
  @Field(() => Int, { description: 'Attempts that lost their number and message text (they stay, with their outcome).' }) attempts!: number;
  @Field(() => Int, { description: 'Import lines that quoted the contacts, emptied.' }) importLines!: number;
  @Field(() => Int, { description: 'Recordings deleted from Asterisk.' }) recordings!: number;
  @Field(() => Int, { description: "Contacts' workflow histories deleted from Temporal." }) histories!: number;
  @Field(() => Int, { description: 'Personal audio files deleted from the speech cache.' }) audioFiles!: number;
}
