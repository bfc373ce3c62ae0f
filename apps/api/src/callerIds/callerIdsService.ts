import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import {
  addCallerIdNumbers, createCallerIdPool, deleteCallerIdPool, listCallerIdPools, readCallerIdPool, removeCallerIdNumbers,
  updateCallerIdPool,
} from '../../../../adapters/postgres/callerIdPools';
import {
  callerIdNumberListSchema, callerIdNumbersSchema, callerIdPoolPatchSchema, newCallerIdPoolSchema, poolName,
} from '../../../../domain/callerIdPool';
import { InputError } from '../../../../domain/inputError';
import { parseInput } from '../../../../domain/parseInput';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';
import type { CallerIdPoolView } from './callerIdTypes';

// Caller-ID pools as the API offers them, over adapters/postgres/callerIdPools.ts. A change
// reaches Asterisk's routing of calls back at the next render of the dialplan
// (asterisk/production/render-callerids.sh, docs/callerId.md).

const noPool = (path: string): InputError => new InputError(`${path}: no caller-ID pool of this name`, [{ path, message: 'no caller-ID pool of this name' }]);

/** A number's optional fields sent as null read as not given. */
const numbersIn = (numbers: object[]): object[] => numbers.map((n) => withoutNulls(n));

@Injectable()
export class CallerIdsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  list(): Promise<CallerIdPoolView[]> {
    return listCallerIdPools(this.pool);
  }

  get(name: string): Promise<CallerIdPoolView | null> {
    return readCallerIdPool(this.pool, name);
  }

  async create(input: { numbers?: object[] | null }): Promise<CallerIdPoolView> {
    const p = parseInput(newCallerIdPoolSchema, withoutNulls({ ...input, numbers: input.numbers && numbersIn(input.numbers) }));
    await createCallerIdPool(this.pool, p);
    return (await this.get(p.name))!;
  }

  async update(name: string, patch: object): Promise<CallerIdPoolView> {
    const n = parseInput(poolName, name, 'name');
    if (!(await updateCallerIdPool(this.pool, n, parseInput(callerIdPoolPatchSchema, withoutNulls(patch), 'patch')))) throw noPool('name');
    return (await this.get(n))!;
  }

  async addNumbers(name: string, numbers: object[]): Promise<CallerIdPoolView> {
    const n = parseInput(poolName, name, 'pool');
    await addCallerIdNumbers(this.pool, n, parseInput(callerIdNumbersSchema, numbersIn(numbers), 'numbers'));
    return (await this.get(n))!;
  }

  async removeNumbers(name: string, numbers: string[]): Promise<CallerIdPoolView> {
    const n = parseInput(poolName, name, 'pool');
    await removeCallerIdNumbers(this.pool, n, parseInput(callerIdNumberListSchema, numbers, 'numbers'));
    const pool = await this.get(n);
    if (!pool) throw noPool('pool');
    return pool;
  }

  /** False when there was no such pool. */
  delete(name: string): Promise<boolean> {
    return deleteCallerIdPool(this.pool, parseInput(poolName, name, 'name'));
  }
}
