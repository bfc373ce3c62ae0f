import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Principal } from '../../../../adapters/postgres/apiAccess';
import {
  addMassCallRefusals, findMassCallRefusal, listMassCallRefusals, readMassCallRefusal, removeMassCallRefusal, type MassCallRefusal,
} from '../../../../adapters/postgres/massCallRefusals';
import {
  massCallRefusalFilterObject, massCallRefusalSchema, massCallRefusalsSchema, type MassCallRefusalSource,
} from '../../../../domain/massCallRefusalInput';
import { parseInput } from '../../../../domain/parseInput';
import { actorOf } from '../auth/requestContext';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';
import type { MassCallRefusalBulkResult, MassCallRefusalView } from './refusalTypes';

// The refusal list as the API offers it, over adapters/postgres/massCallRefusals.ts.

const view = (r: MassCallRefusal): MassCallRefusalView => ({
  ...r, refusedAt: r.refusedAt?.toISOString() ?? null, createdAt: r.createdAt.toISOString(),
});

/** The ERP's key adds erp entries; a person's, api ones. */
const sourceOf = (caller: Principal): MassCallRefusalSource => (caller.role === 'erp' ? 'erp' : 'api');

@Injectable()
export class RefusalsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async get(id: number): Promise<MassCallRefusalView | null> {
    const r = await readMassCallRefusal(this.pool, id);
    return r && view(r);
  }

  async list(filter: object | null, after: number | null, first: number): Promise<MassCallRefusalView[]> {
    const f = parseInput(massCallRefusalFilterObject, withoutNulls(filter ?? {}), 'filter');
    return (await listMassCallRefusals(this.pool, f, { after, first })).map(view);
  }

  async addOne(input: object, caller: Principal): Promise<MassCallRefusalView> {
    const entry = parseInput(massCallRefusalSchema, withoutNulls(input), 'entry');
    await addMassCallRefusals(this.pool, [entry], sourceOf(caller), actorOf(caller));
    return view((await findMassCallRefusal(this.pool, entry.e164))!);
  }

  async addMany(input: object[], caller: Principal): Promise<MassCallRefusalBulkResult> {
    const entries = parseInput(massCallRefusalsSchema, input.map((e) => withoutNulls(e)), 'entries');
    const { added } = await addMassCallRefusals(this.pool, entries, sourceOf(caller), actorOf(caller));
    return { received: entries.length, added, alreadyPresent: entries.length - added };
  }

  remove(id: number, caller: Principal, from: string | null): Promise<boolean> {
    return removeMassCallRefusal(this.pool, id, { actor: actorOf(caller), from });
  }
}
