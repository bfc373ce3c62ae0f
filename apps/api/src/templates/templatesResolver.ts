import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { StoredTemplate, StoredTemplateVersion } from '../../../../adapters/postgres/templates';
import { templateVariables } from '../../../../domain/templateInput';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import {
  AudioClip, NewTemplateInput, Template, TemplatePatchInput, TemplatePreview, TemplatePreviewInput, TemplateVersion,
} from './templateTypes';
import { TemplatesService } from './templatesService';

@Resolver(() => Template)
export class TemplatesResolver {
  constructor(private readonly service: TemplatesService) {}

  @Query(() => Template, { nullable: true })
  @Roles(...READERS)
  template(@Args('id', { type: () => Int }) id: number): Promise<StoredTemplate | null> {
    return this.service.get(id);
  }

  @Query(() => [Template], { description: 'Templates in id order, a page at a time (pass the last id as `after`).' })
  @Roles(...READERS)
  templates(
    @Args('after', { nullable: true, type: () => Int }) after: number | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<StoredTemplate[]> {
    return this.service.list(after ?? null, Math.min(Math.max(first, 1), 500));
  }

  @Query(() => TemplatePreview, {
    description: 'Renders a stored template (a version of it) or a body for one contact\'s variables; writes nothing.',
  })
  @Roles(...READERS)
  previewTemplate(@Args('input', { type: () => TemplatePreviewInput }) input: object): Promise<TemplatePreview> {
    return this.service.preview(input);
  }

  @ResolveField(() => [String], { description: 'The variables the body uses, in order of first use (a contact must have each).' })
  variables(@Parent() template: StoredTemplate): string[] {
    return templateVariables(template.body);
  }

  @ResolveField(() => [String], { description: 'The recorded clips the body plays ({{audio:NAME}}).' })
  clips(@Parent() template: StoredTemplate): string[] {
    return Object.keys(template.clips);
  }

  @ResolveField(() => [TemplateVersion], { description: 'Every version, the newest first.' })
  async versions(@Parent() template: StoredTemplate): Promise<TemplateVersion[]> {
    return (await this.service.versions(template.id)).map(versionOut);
  }

  @ResolveField(() => [String], { description: 'The ids of the campaigns that use this template.' })
  campaignIds(@Parent() template: StoredTemplate): Promise<string[]> {
    return this.service.usedBy(template.id);
  }

  @Mutation(() => Template, {
    description: 'A new template (version 1); a body the renderer cannot read, or naming a clip not uploaded, is refused naming the problem.',
  })
  @Roles(...OPERATORS)
  createTemplate(@Args('input', { type: () => NewTemplateInput }) input: object): Promise<StoredTemplate> {
    return this.service.create(input);
  }

  @Mutation(() => Template, {
    description: 'Changes the name, the body or the speech; a change of the body or the speech makes a new version. A campaign keeps the version it pinned.',
  })
  @Roles(...OPERATORS)
  updateTemplate(
    @Args('id', { type: () => Int }) id: number,
    @Args('patch', { type: () => TemplatePatchInput }) patch: object,
  ): Promise<StoredTemplate> {
    return this.service.update(id, patch);
  }

  @Mutation(() => Boolean, { description: 'Deletes a template no campaign uses (refused, naming the campaigns, otherwise); false when there is none.' })
  @Roles(...OPERATORS)
  deleteTemplate(@Args('id', { type: () => Int }) id: number): Promise<boolean> {
    return this.service.delete(id);
  }
}

const versionOut = (v: StoredTemplateVersion): TemplateVersion => ({
  version: v.version, body: v.body, speech: v.speech, clips: Object.keys(v.clips), createdAt: v.createdAt,
});

@Resolver(() => AudioClip)
export class AudioClipsResolver {
  constructor(private readonly service: TemplatesService) {}

  @Query(() => [AudioClip], { description: 'Recorded clips in name order, a page at a time (pass the last name as `after`).' })
  @Roles(...READERS)
  audioClips(
    @Args('after', { nullable: true, type: () => String }) after: string | null,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<AudioClip[]> {
    return this.service.clips(after ?? null, Math.min(Math.max(first, 1), 500));
  }

  @ResolveField(() => [Int], { description: 'The templates whose current body plays this clip.' })
  templateIds(@Parent() clip: AudioClip): Promise<number[]> {
    return this.service.templatesUsingClip(clip.name);
  }

  @Mutation(() => Boolean, {
    description: 'Deletes a clip no template\'s current body plays (refused, naming the templates, otherwise); false when there is none.',
  })
  @Roles(...OPERATORS)
  deleteAudioClip(@Args('name') name: string): Promise<boolean> {
    return this.service.deleteClip(name);
  }
}
