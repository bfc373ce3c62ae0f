import { Field, Int, ObjectType } from '@nestjs/graphql';
import { z } from 'zod';
import { MASS_CALL_REFUSAL_SOURCES, massCallRefusalFilterObject, massCallRefusalObject } from '../../../../domain/massCallRefusalInput';
import { graphqlClass, type TypeNames } from '../graphql/zodTypes';

// The refusal list's GraphQL types: inputs from domain/massCallRefusalInput.ts, the entry as read
// from a zod shape too, so that both share the source enum.

const names: TypeNames = { source: 'MassCallRefusalSource' };

export const MassCallRefusalInput = graphqlClass('MassCallRefusalInput', massCallRefusalObject, 'input', {
  description: 'A number whose subscriber refused mass calls through the operator.', names,
});

export const MassCallRefusalFilterInput = graphqlClass('MassCallRefusalFilterInput', massCallRefusalFilterObject, 'input', {
  description: 'Narrows a list of refusals; every field given must hold.', names,
});

const iso = z.string().describe('ISO 8601, UTC.');

const refusalView = z.object({
  id: z.number().int(),
  number: z.string().describe('The number in E.164.'),
  refusedAt: iso.nullable().describe('When the subscriber refused, as reported (null: not reported).'),
  operator: z.string().nullable(),
  source: z.enum(MASS_CALL_REFUSAL_SOURCES),
  createdBy: z.string().describe('Who added it (a key, a user, or import:<file>).'),
  createdAt: iso,
});

export type MassCallRefusalView = z.output<typeof refusalView>;

export const MassCallRefusal = graphqlClass('MassCallRefusal', refusalView, 'output', {
  description: 'A number on the refusal list: the gate never calls it (refusal mass_call_refused).', names,
});

@ObjectType({ description: 'What a bulk add did: numbers already on the list keep their entry.' })
export class MassCallRefusalBulkResult {
  @Field(() => Int, { description: 'Entries in the call.' })
  received!: number;

  @Field(() => Int, { description: 'Numbers added.' })
  added!: number;

  @Field(() => Int, { description: 'Numbers already on the list (or given twice), left as they were.' })
  alreadyPresent!: number;
}
