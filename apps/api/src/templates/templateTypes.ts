import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { z } from 'zod';
import { SPEECH_PROVIDERS, speechSettingsSchema } from '../../../../domain/speechSettings';
import { newTemplateSchema, templatePatchSchema, templatePreviewObject } from '../../../../domain/templateInput';
import { graphqlClass, type TypeNames } from '../graphql/zodTypes';

// The template's GraphQL types: inputs from domain/templateInput.ts, outputs as stored.

// The speech settings have one shape and one emotion enum wherever they appear. A provider's
// name has a dash (speechkit-v1), which a GraphQL enum value may not: it is a String here and
// the service checks it with the domain's schema, as it checks every field.
const names: TypeNames = { speech: 'SpeechSettings', 'speech.emotion': 'SpeechEmotion' };
const speechShape = speechSettingsSchema.extend({
  provider: z.string().optional().describe(`Who says it: ${SPEECH_PROVIDERS.join(', ')} (offline by default: espeak-ng on the worker; speechkit-v1 / -v3: Yandex SpeechKit's REST API v1 / v3).`),
});

export const NewTemplateInput = graphqlClass('NewTemplateInput', newTemplateSchema.extend({ speech: speechShape.optional() }), 'input', {
  description: 'A message template: a unique name, a body with {{VARIABLE}} placeholders, and how it is spoken.', names,
});

export const TemplatePatchInput = graphqlClass('TemplatePatchInput', templatePatchSchema.extend({ speech: speechShape.optional() }), 'input', {
  partial: true, description: 'Fields to change; a field not given keeps its value. A change of the body or the speech makes a new version.', names,
});

export const TemplatePreviewInput = graphqlClass('TemplatePreviewInput', templatePreviewObject.extend({ speech: speechShape.optional() }), 'input', {
  description: 'A stored template (templateId, optionally a version) or a body, and the variables of one contact (or a contactId).', names,
});

export const SpeechSettings = graphqlClass('SpeechSettings', speechShape, 'output', {
  description: 'How a template is spoken.', names: { emotion: 'SpeechEmotion' },
});

@ObjectType({ description: 'One version of a template, as it was made: never changed (a campaign pins one).' })
export class TemplateVersion {
  @Field(() => Int)
  version!: number;

  @Field()
  body!: string;

  @Field(() => SpeechSettings)
  speech!: object;

  @Field(() => [String], { description: 'The recorded clips the body plays ({{audio:NAME}}).' })
  clips!: string[];

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType({ description: 'A message template (its latest version).' })
export class Template {
  @Field(() => Int)
  id!: number;

  @Field()
  name!: string;

  @Field({ description: 'Text with placeholders: {{NAME}}, {{BALANCE|money}}, {{DUE|date}}, {{N|number}}, {{CONTRACT|digits}}, {{audio:CLIP}}.' })
  body!: string;

  @Field(() => SpeechSettings)
  speech!: object;

  @Field(() => Int, { description: 'The latest version: an edit of the body or the speech makes the next one.' })
  version!: number;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

export const PIECE_KINDS = { static: 'static', personal: 'personal', clip: 'clip' } as const;
registerEnumType(PIECE_KINDS, {
  name: 'MessagePieceKind',
  description: 'static: the template\'s own text (synthesised once per version); personal: made from the contact\'s variables; clip: a recording.',
});

@ObjectType({ description: 'One piece of a message, in playing order.' })
export class MessagePiece {
  @Field(() => PIECE_KINDS)
  kind!: keyof typeof PIECE_KINDS;

  @Field(() => String, { nullable: true, description: 'What is said, in words (null for a clip).' })
  text!: string | null;

  @Field(() => String, { nullable: true, description: 'The clip\'s name (null unless a clip).' })
  clip!: string | null;
}

@ObjectType({ description: 'A message as one contact would get it.' })
export class TemplatePreview {
  @Field({ description: 'The text as people read it (stored with the attempt): amounts and dates in digits.' })
  text!: string;

  @Field(() => [MessagePiece], { description: 'What is said, piece by piece (GET or POST /templates/preview.wav gives the audio).' })
  pieces!: MessagePiece[];

  @Field(() => [String], { description: 'The variables the template uses.' })
  variables!: string[];
}

@ObjectType({ description: 'A recorded fragment templates play as {{audio:NAME}} (uploaded with POST /uploads/audio?name=NAME).' })
export class AudioClip {
  @Field()
  name!: string;

  @Field(() => Int, { description: 'Its length after conversion to 8 kHz mono.' })
  durationMs!: number;

  @Field({ description: 'What was uploaded: wav, mp3, ogg…' })
  sourceFormat!: string;

  @Field(() => GraphQLISODateTime, { description: 'When its audio was last uploaded.' })
  createdAt!: Date;
}
