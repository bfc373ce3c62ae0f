import { z } from 'zod';
import {
  CALLER_ID_ROTATIONS, INBOUND_ACTIONS, callerIdNumberSchema, callerIdPoolPatchSchema, newCallerIdPoolSchema,
} from '../../../../domain/callerIdPool';
import { graphqlClass, type TypeNames } from '../graphql/zodTypes';

// The caller-ID pools' GraphQL types: inputs from domain/callerIdPool.ts; the pool as read is a
// zod shape too, so inputs and outputs share the enums (zodTypes names an enum once).

const names: TypeNames = { rotation: 'CallerIdRotation', inbound: 'CallerIdInbound', numbers: 'CallerIdNumber' };

export const CallerIdPoolInput = graphqlClass('CallerIdPoolInput', newCallerIdPoolSchema, 'input', {
  description: 'A new pool of registered numbers: its rotation, what a call back to its numbers reaches, and its numbers.', names,
});

export const CallerIdPoolPatchInput = graphqlClass('CallerIdPoolPatchInput', callerIdPoolPatchSchema, 'input', {
  description: 'Changes to a pool: only the fields given change.', names,
});

export const CallerIdNumberInput = graphqlClass('CallerIdNumberInput', callerIdNumberSchema, 'input', {
  description: 'A registered number in E.164, and the regions it serves.', names,
});

const poolView = z.object({
  name: z.string(),
  rotation: z.enum(CALLER_ID_ROTATIONS),
  inbound: z.enum(INBOUND_ACTIONS),
  inboundMessage: z.string().describe('Asterisk sound names a caller back hears, joined by &.'),
  turns: z.number().int().describe('Calls that have taken a number from the pool.'),
  numbers: z.array(z.object({
    number: z.string().describe('E.164.'),
    regions: z.array(z.string()).describe('The regions it serves (numbering plan names); empty: any.'),
  })),
  campaigns: z.array(z.string()).describe('The campaigns that dial from it.'),
});

export type CallerIdPoolView = z.output<typeof poolView>;

export const CallerIdPool = graphqlClass('CallerIdPool', poolView, 'output', {
  description: 'A pool of registered numbers campaigns dial from (docs/callerId.md).', names,
});
