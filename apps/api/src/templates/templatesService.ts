import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  campaignsUsingTemplate, deleteTemplate, insertTemplate, listTemplates, readTemplate, updateTemplate, type StoredTemplate,
} from '../../../../adapters/postgres/templates';
import { InputError } from '../../../../domain/inputError';
import { parseInput } from '../../../../domain/parseInput';
import {
  newTemplateSchema, previewMessage, templatePatchSchema, templatePreviewSchema, templateVariables,
} from '../../../../domain/templateInput';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';
import type { TemplatePreview } from './templateTypes';

// Templates as the API offers them, over adapters/postgres/templates.ts (no SQL of its own).
// Bodies are checked by domain/templateInput.ts before anything is written.

const noSuchTemplate = (field = 'id'): InputError => new InputError(`${field}: no template with this id`, [{ path: field, message: 'no template with this id' }]);

@Injectable()
export class TemplatesService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  get(id: number): Promise<StoredTemplate | null> {
    return readTemplate(this.pool, id);
  }

  list(after: number | null, first: number): Promise<StoredTemplate[]> {
    return listTemplates(this.pool, { after, first });
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
      const message = `used by campaign${usedBy.length > 1 ? 's' : ''} ${usedBy.join(', ')}: give them another template first`;
      throw new InputError(`id: ${message}`, [{ path: 'id', message }]);
    }
    return found;
  }

  /** The rendered message; reads the template when given by id, writes nothing. */
  async preview(input: object): Promise<TemplatePreview> {
    const request = parseInput(templatePreviewSchema, withoutNulls(input));
    let templateId = 0;
    let body = request.body;
    if (request.templateId !== undefined) {
      const stored = await readTemplate(this.pool, request.templateId);
      if (!stored) throw noSuchTemplate('templateId');
      ({ id: templateId, body } = stored);
    }
    return { ...previewMessage(templateId, body!, request.variables), variables: templateVariables(body!) };
  }
}
