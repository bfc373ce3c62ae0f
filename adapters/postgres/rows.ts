import type { Selectable } from 'kysely';
import type { DB } from './rowTypes';

/**
 * A table's row as pg returns it (int8 and numeric as strings, timestamps and dates as Date),
 * from the types generated out of the migrations: queries name `Pick<Row<'contact'>, ...>`
 * instead of writing row shapes by hand.
 */
export type Row<T extends keyof DB> = Selectable<DB[T]>;
