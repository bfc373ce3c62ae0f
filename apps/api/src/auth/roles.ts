import { SetMetadata, applyDecorators } from '@nestjs/common';
import { registerEnumType } from '@nestjs/graphql';
import { API_ROLES, type ApiRole } from '../../../../adapters/postgres/apiAccess';

// Every query, mutation and subscription names the roles that may call it (the guard refuses a
// field that names none): there is no way to add one that is open by accident.
//   admin       everything, including keys and users
//   supervisor  campaigns, lists, templates, blacklist, calendar, results
//   erp         what an ERP does: contacts, campaigns' life, templates, results
//   viewer      reads only

export const ROLES_KEY = 'dialer:roles';
export const PUBLIC_KEY = 'dialer:public';

export const Role = Object.fromEntries(API_ROLES.map((r) => [r, r])) as { [R in ApiRole]: R };
registerEnumType(Role, { name: 'Role', description: 'What a key or a user may do.' });

/**
 * Who may call each root field, by the field's name (the resolver method's): the guard reads
 * the decorator's metadata; the auth walk test reads this, to call every field as every role.
 */
export const FIELD_ROLES = new Map<string, readonly ApiRole[] | 'public'>();

const record = (access: readonly ApiRole[] | 'public'): MethodDecorator => (_target, key) => {
  FIELD_ROLES.set(String(key), access);
};

/** The roles that may call this field. */
export const Roles = (...roles: ApiRole[]): MethodDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), record(roles));

/** A field anyone may call without credentials (logging in). */
export const Public = (): MethodDecorator => applyDecorators(SetMetadata(PUBLIC_KEY, true), record('public'));

export const READERS: ApiRole[] = ['admin', 'supervisor', 'erp', 'viewer'];
export const OPERATORS: ApiRole[] = ['admin', 'supervisor', 'erp'];
