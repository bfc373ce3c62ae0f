import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import { newTemplateSchema, templatePatchSchema, templatePreviewObject } from '../../../../domain/templateInput';
import { graphqlClass } from '../graphql/zodTypes';

// The template's GraphQL types: inputs from domain/templateInput.ts, outputs as stored.

export const NewTemplateInput = graphqlClass('NewTemplateInput', newTemplateSchema, 'input', {
  description: 'A message template: a unique name and a body with {{VARIABLE}} placeholders.',
});

export const TemplatePatchInput = graphqlClass('TemplatePatchInput', templatePatchSchema, 'input', {
  partial: true, description: 'Fields to change; a field not given keeps its value.',
});

export const TemplatePreviewInput = graphqlClass('TemplatePreviewInput', templatePreviewObject, 'input', {
  description: 'A stored template (templateId) or a body, and the variables of one contact.',
});

@ObjectType({ description: 'A message template.' })
export class Template {
  @Field(() => Int)
  id!: number;

  @Field()
  name!: string;

  @Field({ description: 'Text with {{VARIABLE}} placeholders; {{BALANCE|money}} says an amount.' })
  body!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;
}

@ObjectType({ description: 'A message as one contact would get it.' })
export class TemplatePreview {
  @Field({ description: 'The text (stored with the attempt).' })
  text!: string;

  @Field(() => [String], { description: 'What Asterisk plays, in order (sound:…, number:…).' })
  media!: string[];

  @Field(() => [String], { description: 'The variables the template uses.' })
  variables!: string[];
}
