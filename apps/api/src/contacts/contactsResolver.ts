import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { ListImportRow } from '../../../../adapters/postgres/listImports';
import { MAX_CONTACTS_PER_CALL, type ContactInput as ContactInputValue } from '../../../../domain/contactInput';
import { actorOf, type RequestContext } from '../auth/requestContext';
import { OPERATORS, READERS, Roles } from '../auth/roles';
import { ContactInput, ContactUpsertReport, ImportIssueSeverityEnum, ListImport, ListImportIssue } from './contactTypes';
import { ContactsService } from './contactsService';

@Resolver(() => ListImport)
export class ContactsResolver {
  constructor(private readonly service: ContactsService) {}

  @Mutation(() => ContactUpsertReport, {
    description: `Adds or updates up to ${MAX_CONTACTS_PER_CALL} contacts of a campaign (draft, running or paused) in one `
      + 'transaction, by their externalId: the same batch twice changes nothing. Any invalid contact refuses the whole call, '
      + 'every problem named by its path (contacts.3.phones.1.number). A contact already started keeps its attempts and the '
      + 'numbers its calls use (a warning says so); contacts added to a running campaign are called.',
  })
  @Roles(...OPERATORS)
  async upsertContacts(
    @Args('campaignId') campaignId: string,
    @Args('contacts', { type: () => [ContactInput] }) contacts: ContactInputValue[],
    @Context('dialer') request: RequestContext,
  ): Promise<ContactUpsertReport> {
    const report = await this.service.upsert(campaignId, contacts, actorOf(request.principal!));
    return { campaignId, inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, warnings: report.warnings };
  }

  @Mutation(() => ListImport, {
    description: 'Imports a list sent to POST /uploads (CSV or XLSX in the accounting shape NAME, PHONE_NUMBER, USER_VARS) '
      + 'into a campaign. Answers once the file\'s header is read, with the import running: ask listImport(id) how far it got. '
      + 'A file that is not the list shape is refused before anything is written.',
  })
  @Roles(...OPERATORS)
  async importList(
    @Args('campaignId') campaignId: string,
    @Args('uploadId', { description: 'The id POST /uploads answered with.' }) uploadId: string,
    @Context('dialer') request: RequestContext,
  ): Promise<ListImport> {
    const id = await this.service.importUpload(campaignId, uploadId, actorOf(request.principal!));
    return toListImport((await this.service.listImport(id))!);
  }

  @Query(() => ListImport, { nullable: true, description: 'An import of a list: its state and counts so far.' })
  @Roles(...READERS)
  async listImport(@Args('id', { type: () => Int }) id: number): Promise<ListImport | null> {
    const row = await this.service.listImport(id);
    return row ? toListImport(row) : null;
  }

  @ResolveField(() => [ListImportIssue], { description: 'Refused rows (and warnings), in file order, a page at a time.' })
  async issues(
    @Parent() parent: ListImport,
    @Args('severity', { type: () => ImportIssueSeverityEnum, nullable: true, description: 'Only these (default: both).' }) severity: 'error' | 'warning' | null,
    @Args('after', { type: () => Int, nullable: true, description: 'The id of the last issue of the previous page.' }) after: number | null,
    @Args('first', { type: () => Int, defaultValue: 100, description: 'At most 1000.' }) first: number,
  ): Promise<ListImportIssue[]> {
    const rows = await this.service.listImportIssues(parent.id, { severity: severity ?? null, afterId: after ?? 0, first: Math.min(Math.max(first, 1), 1000) });
    return rows.map((r) => ({ id: r.id, line: r.line, field: r.field, severity: r.severity as 'error' | 'warning', reason: r.reason }));
  }
}

function toListImport(r: ListImportRow): ListImport {
  return {
    id: r.id, campaignId: r.campaign_id, fileName: r.file_name, state: r.state as ListImport['state'],
    rowsRead: r.rows_total, imported: r.rows_imported, unchanged: r.rows_unchanged, refused: r.rows_rejected, error: r.error,
    createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at, finishedAt: r.finished_at,
  };
}
