import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { deleteAudioClip, listAudioClips, resolveClips, templatesUsingClip, type StoredClip } from '../../../../adapters/postgres/audioClips';
import { readContactVariables } from '../../../../adapters/postgres/campaignTemplates';
import {
  campaignsUsingTemplate, deleteTemplate, insertTemplate, listTemplates, listTemplateVersions, readTemplate, readTemplateVersion,
  updateTemplate, type StoredTemplate, type StoredTemplateVersion, type TemplateVersionContent,
} from '../../../../adapters/postgres/templates';
import { InputError } from '../../../../domain/inputError';
import type { RenderedPieces } from '../../../../domain/messagePieces';
import { parseInput } from '../../../../domain/parseInput';
import { DEFAULT_SPEECH } from '../../../../domain/speechSettings';
import {
  newTemplateSchema, previewPieces, templateClips, templatePatchSchema, templatePreviewSchema, templateVariables,
} from '../../../../domain/templateInput';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';
import type { TemplatePreview } from './templateTypes';

// Templates and their clips as the API offers them, over adapters/postgres (no SQL of its own).
// Bodies are checked by domain/templateInput.ts before anything is written.

const refused = (path: string, message: string): InputError => new InputError(`${path}: ${message}`, [{ path, message }]);
const noSuchTemplate = (field = 'id'): InputError => refused(field, 'no template with this id');

/** A message rendered for a preview: what it says and in which voice. */
export interface RenderedPreview {
  rendered: RenderedPieces;
  speech: TemplateVersionContent['speech'];
  variables: string[];
}

@Injectable()
export class TemplatesService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  get(id: number): Promise<StoredTemplate | null> {
    return readTemplate(this.pool, id);
  }

  list(after: number | null, first: number): Promise<StoredTemplate[]> {
    return listTemplates(this.pool, { after, first });
  }

  versions(id: number): Promise<StoredTemplateVersion[]> {
    return listTemplateVersions(this.pool, id);
  }

  usedBy(id: number): Promise<string[]> {
    return campaignsUsingTemplate(this.pool, id);
  }

  create(input: object): Promise<StoredTemplate> {
    return insertTemplate(this.pool, parseInput(newTemplateSchema, withoutNulls(input)));
  }

  async update(id: number, patch: object): Promise<StoredTemplate> {
    const updated = await updateTemplate(this.pool, id, parseInput(templatePatchSchema, withoutNulls(patch)));
    if (!updated) throw noSuchTemplate();
    return updated;
  }

  /** False when there is no such template; refused while a campaign uses it. */
  async delete(id: number): Promise<boolean> {
    const { found, usedBy } = await deleteTemplate(this.pool, id);
    if (usedBy.length > 0) {
      throw refused('id', `used by campaign${usedBy.length > 1 ? 's' : ''} ${usedBy.join(', ')}: give them another template first`);
    }
    return found;
  }

  /**
   * The message for one contact: a stored template (its current or a given version) or a body
   * not stored, with the variables given over those of `contactId`. Writes nothing; every bad
   * part is named by its field (templateId, version, contactId, body, variables.X).
   */
  async render(input: object): Promise<RenderedPreview> {
    const request = parseInput(templatePreviewSchema, withoutNulls(input));
    let message: TemplateVersionContent;
    let clipField = 'body';
    if (request.templateId !== undefined) {
      const stored = request.version === undefined
        ? await readTemplate(this.pool, request.templateId)
        : await readTemplateVersion(this.pool, request.templateId, request.version);
      if (!stored) {
        if (request.version === undefined || !await readTemplate(this.pool, request.templateId)) throw noSuchTemplate('templateId');
        throw refused('version', `template ${request.templateId} has no version ${request.version}`);
      }
      message = stored;
      clipField = 'templateId';
    } else {
      const body = request.body!;
      message = { body, speech: request.speech ?? DEFAULT_SPEECH, clips: await resolveClips(this.pool, templateClips(body)) };
    }
    let contact: Record<string, string> = {};
    if (request.contactId !== undefined) {
      const found = await readContactVariables(this.pool, request.contactId);
      if (!found) throw refused('contactId', 'no contact with this id');
      contact = found;
    }
    const rendered = previewPieces(message.body, { ...contact, ...request.variables }, message.clips, clipField);
    return { rendered, speech: message.speech, variables: templateVariables(message.body) };
  }

  async preview(input: object): Promise<TemplatePreview> {
    const { rendered, variables } = await this.render(input);
    return {
      text: rendered.text,
      pieces: rendered.pieces.map((p) => (p.kind === 'clip'
        ? { kind: p.kind, text: null, clip: p.name }
        : { kind: p.kind, text: p.text, clip: null })),
      variables,
    };
  }

  clips(after: string | null, first: number): Promise<StoredClip[]> {
    return listAudioClips(this.pool, { after, first });
  }

  templatesUsingClip(name: string): Promise<number[]> {
    return templatesUsingClip(this.pool, name);
  }

  /** False when there is no such clip; refused while a template's current body plays it. */
  async deleteClip(name: string): Promise<boolean> {
    const { found, usedBy } = await deleteAudioClip(this.pool, name);
    if (usedBy.length > 0) {
      throw refused('name', `played by template${usedBy.length > 1 ? 's' : ''} ${usedBy.join(', ')}: take {{audio:${name}}} out of them first`);
    }
    return found;
  }
}
