import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import { listRuleProfiles, updateRuleProfile } from '../../../../adapters/postgres/ruleProfiles';
import { parseInput } from '../../../../domain/parseInput';
import { CAMPAIGN_PURPOSES, ruleProfilePatchObject, type RuleProfile } from '../../../../domain/ruleProfiles';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';

// Rule profiles as the API offers them, over adapters/postgres/ruleProfiles.ts.

const purposeSchema = z.enum(CAMPAIGN_PURPOSES);

@Injectable()
export class RuleProfilesService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  list(): Promise<RuleProfile[]> {
    return listRuleProfiles(this.pool);
  }

  update(purpose: string, patch: object, who: { actor: string; from: string | null }): Promise<RuleProfile> {
    const p = parseInput(purposeSchema, purpose, 'purpose');
    return updateRuleProfile(this.pool, p, parseInput(ruleProfilePatchObject, withoutNulls(patch), 'patch'), who);
  }
}
