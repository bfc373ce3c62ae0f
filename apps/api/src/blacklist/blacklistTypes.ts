import { Field, Int, ObjectType } from '@nestjs/graphql';
import { z } from 'zod';
import { BLACKLIST_KINDS, BLACKLIST_SOURCES, blacklistEntryObject, blacklistFilterObject } from '../../../../domain/blacklistInput';
import { graphqlClass, type TypeNames } from '../graphql/zodTypes';

// The blacklist's GraphQL types: inputs from domain/blacklistInput.ts. The entry as read is made
// from a zod shape too, so it shares the kind and source enums with the inputs (zodTypes names
// an enum once).

const names: TypeNames = { kind: 'BlacklistKind', source: 'BlacklistSource' };

export const BlacklistEntryInput = graphqlClass('BlacklistEntryInput', blacklistEntryObject, 'input', {
  description: 'One entry: kind exact (number), prefix (prefix) or range (rangeFrom, rangeTo), with a reason.',
  names: { ...names, source: 'BlacklistGivenSource' },
});

export const BlacklistFilterInput = graphqlClass('BlacklistFilterInput', blacklistFilterObject, 'input', {
  description: 'Narrows a list of entries; every field given must hold.', names,
});

const iso = z.string().describe('ISO 8601, UTC.');

const entryView = z.object({
  id: z.number().int(),
  kind: z.enum(BLACKLIST_KINDS),
  number: z.string().nullable().describe('kind exact: the number in E.164.'),
  prefix: z.string().nullable(),
  rangeFrom: z.string().nullable().describe('kind range: the first number, in international form.'),
  rangeTo: z.string().nullable().describe('kind range: the last number, inclusive.'),
  group: z.string(),
  reason: z.string(),
  source: z.enum(BLACKLIST_SOURCES),
  createdBy: z.string().describe('Who added it (a key or a user; "dialer" for automatic entries).'),
  createdAt: iso,
  expiresAt: iso.nullable().describe('When it stops blocking (null: never).'),
  attemptId: z.number().int().nullable().describe('Automatic entries: the attempt that proved the number bad.'),
});

export type BlacklistEntryView = z.output<typeof entryView>;

export const BlacklistEntry = graphqlClass('BlacklistEntry', entryView, 'output', {
  description: 'A blacklist entry: what it blocks, why, from where, until when.', names,
});

@ObjectType({ description: 'What a bulk add did: entries identical to ones already there are not added again.' })
export class BlacklistBulkResult {
  @Field(() => Int, { description: 'Entries in the call.' })
  received!: number;

  @Field(() => Int, { description: 'Entries added.' })
  added!: number;

  @Field(() => Int, { description: 'Entries that were there already (or given twice), left as they were.' })
  alreadyPresent!: number;
}

@ObjectType({ description: 'Whether the gate would refuse a number now (or at `at`), and the entry that blocks it.' })
export class BlacklistCheck {
  @Field({ description: 'The number in E.164.' })
  number!: string;

  @Field()
  blocked!: boolean;

  @Field(() => BlacklistEntry, { nullable: true, description: 'The entry the gate would cite (the oldest that matches).' })
  entry!: BlacklistEntryView | null;

  @Field(() => [String], { description: 'The groups not consulted (the campaign\'s ignoredBlacklistGroups).' })
  ignoredGroups!: string[];

  @Field({ description: 'The moment checked, ISO 8601.' })
  at!: string;
}
