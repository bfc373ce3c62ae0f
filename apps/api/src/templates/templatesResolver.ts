import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { templateVariables } from '../../../../domain/templateInput';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import { NewTemplateInput, Template, TemplatePatchInput, TemplatePreview, TemplatePreviewInput } from './templateTypes';
import { TemplatesService } from './templatesService';

@Resolver(() => Template)
export class TemplatesResolver {
  constructor(private readonly service: TemplatesService) {}

  @Query(() => Template, { nullable: true })
  @Roles(...READERS)
  template(@Args('id', { type: () => Int }) id: number): Promise<Template | null> {
    return this.service.get(id);
  }

  @Query(() => [Template], { description: 'Templates in id order, a page at a time (pass the last id as `after`).' })
  @Roles(...READERS)
  templates(
    @Args('after', { nullable: true, type: () => Int }) after: number | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<Template[]> {
    return this.service.list(after ?? null, Math.min(Math.max(first, 1), 500));
  }

  @Query(() => TemplatePreview, { description: 'Renders a stored template or a body with one contact\'s variables; writes nothing.' })
  @Roles(...READERS)
  previewTemplate(@Args('input', { type: () => TemplatePreviewInput }) input: object): Promise<TemplatePreview> {
    return this.service.preview(input);
  }

  @ResolveField(() => [String], { description: 'The variables the body uses, in order of first use (a contact must have each).' })
  variables(@Parent() template: Template): string[] {
    return templateVariables(template.body);
  }

  @ResolveField(() => [String], { description: 'The ids of the campaigns that use this template.' })
  campaignIds(@Parent() template: Template): Promise<string[]> {
    return this.service.usedBy(template.id);
  }

  @Mutation(() => Template, { description: 'A new template; a body the renderer cannot read is refused, naming the problem.' })
  @Roles(...OPERATORS)
  createTemplate(@Args('input', { type: () => NewTemplateInput }) input: object): Promise<Template> {
    return this.service.create(input);
  }

  @Mutation(() => Template, { description: 'Changes the name or the body; campaigns using the template say the new body from their next call.' })
  @Roles(...OPERATORS)
  updateTemplate(
    @Args('id', { type: () => Int }) id: number,
    @Args('patch', { type: () => TemplatePatchInput }) patch: object,
  ): Promise<Template> {
    return this.service.update(id, patch);
  }

  @Mutation(() => Boolean, { description: 'Deletes a template no campaign uses (refused, naming the campaigns, otherwise); false when there is none.' })
  @Roles(...OPERATORS)
  deleteTemplate(@Args('id', { type: () => Int }) id: number): Promise<boolean> {
    return this.service.delete(id);
  }
}
