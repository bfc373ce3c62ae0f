import { Field, GraphQLISODateTime, Int, ObjectType } from '@nestjs/graphql';
import type { ApiRole } from '../../../../adapters/postgres/apiAccess';
import { Role } from './roles';

@ObjectType({ description: 'The caller, as the API knows it.' })
export class Caller {
  @Field(() => String, { description: 'key or user' })
  kind!: string;

  @Field({ description: "The key's name or the user's login." })
  name!: string;

  @Field(() => Role)
  role!: ApiRole;
}

@ObjectType({ description: 'A session: send its token as `Authorization: Bearer <token>`.' })
export class Session {
  @Field()
  token!: string;

  @Field(() => GraphQLISODateTime)
  expiresAt!: Date;

  @Field(() => Caller)
  caller!: Caller;
}

@ObjectType({ description: 'An API key (its secret is shown only when it is created).' })
export class ApiKey {
  @Field(() => Int)
  id!: number;

  @Field()
  name!: string;

  @Field(() => Role)
  role!: ApiRole;

  @Field({ description: 'The first characters of the key.' })
  prefix!: string;

  @Field(() => GraphQLISODateTime)
  createdAt!: Date;

  @Field()
  createdBy!: string;

  @Field(() => GraphQLISODateTime, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => GraphQLISODateTime, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType({ description: 'A new API key and, once, its secret.' })
export class NewApiKey {
  @Field({ description: 'Send as `Authorization: Bearer <key>`; it is not shown again.' })
  key!: string;

  @Field()
  prefix!: string;
}
