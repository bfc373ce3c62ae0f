import { Field, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { contactInputObject } from '../../../../domain/contactInput';
import { graphqlClass } from '../graphql/zodTypes';

// The GraphQL types of contacts: the input from the one contact schema (domain/contactInput.ts),
// the answers written here.

export const ContactInput = graphqlClass('ContactInput', contactInputObject, 'input', {
  names: {
    phones: 'ContactPhone', 'phones.kind': 'PhoneKind', variables: 'ContactVariable',
    role: 'ContactRole', debtor: 'DebtorLink', consents: 'Consent', 'consents.channel': 'ConsentChannel',
  },
});

@ObjectType({ description: 'A change that was stored differently than asked, or too late to matter, and why.' })
export class ContactWarning {
  @Field({ description: 'Where in the call: contacts.3 or contacts.3.phones.' })
  path!: string;

  @Field()
  message!: string;
}

@ObjectType({ description: 'What one upsertContacts call did, in one transaction.' })
export class ContactUpsertReport {
  @Field()
  campaignId!: string;

  @Field(() => Int, { description: 'Contacts new to the campaign (pending: its workflow starts them).' })
  inserted!: number;

  @Field(() => Int, { description: 'Contacts already there that differed; only what differed was written.' })
  updated!: number;

  @Field(() => Int, { description: 'Contacts already there exactly as given: nothing was written.' })
  unchanged!: number;

  @Field(() => [ContactWarning])
  warnings!: ContactWarning[];
}

export const ListImportStateEnum = { running: 'running', done: 'done', failed: 'failed' } as const;
registerEnumType(ListImportStateEnum, { name: 'ListImportState', description: 'Where an import of a list stands.' });

export const ImportIssueSeverityEnum = { error: 'error', warning: 'warning' } as const;
registerEnumType(ImportIssueSeverityEnum, {
  name: 'ImportIssueSeverity', description: 'error: the row was refused; warning: it was imported, with a part dropped or read differently.',
});

@ObjectType({ description: 'A row of an uploaded list that was refused, or imported with a warning.' })
export class ListImportIssue {
  @Field(() => Int, { description: 'Pass as `after` for the next page.' })
  id!: number;

  @Field(() => Int, { description: 'The line of a CSV file (the header is line 1), or the row of an XLSX worksheet.' })
  line!: number;

  @Field(() => String, { nullable: true, description: 'The column (NAME, PHONE_NUMBER, USER_VARS); null when the line itself could not be read.' })
  field!: string | null;

  @Field(() => ImportIssueSeverityEnum)
  severity!: 'error' | 'warning';

  @Field()
  reason!: string;
}

@ObjectType({ description: 'An import of an uploaded list into a campaign: a job, and how far it got.' })
export class ListImport {
  @Field(() => Int)
  id!: number;

  @Field()
  campaignId!: string;

  @Field()
  fileName!: string;

  @Field(() => ListImportStateEnum)
  state!: 'running' | 'done' | 'failed';

  @Field(() => Int, { description: 'Data rows read and settled so far (imported, already there, or refused).' })
  rowsRead!: number;

  @Field(() => Int, { description: 'Contacts added.' })
  imported!: number;

  @Field(() => Int, { description: 'Rows whose contact was already in the campaign (left as it was).' })
  unchanged!: number;

  @Field(() => Int, { description: 'Rows refused: their lines and reasons are the issues of severity error.' })
  refused!: number;

  @Field(() => String, { nullable: true, description: 'Why a failed import stopped (the rows before stay).' })
  error!: string | null;

  @Field({ description: 'Who started it.' })
  createdBy!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When it last wrote a batch.' })
  updatedAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true })
  finishedAt!: Date | null;
}
