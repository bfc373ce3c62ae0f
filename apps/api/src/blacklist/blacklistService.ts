import { Inject, Injectable } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { Pool } from 'pg';
import type { ApiRole, Principal } from '../../../../adapters/postgres/apiAccess';
import {
  addBlacklistEntries, findBlacklistEntry, listBlacklistEntries, readBlacklistEntry, removeBlacklistEntry, type BlacklistEntry,
} from '../../../../adapters/postgres/blacklist';
import { readCampaignSettings } from '../../../../adapters/postgres/campaigns';
import {
  blacklistCheckSchema, blacklistEntriesSchema, blacklistEntrySchema, blacklistFilterObject, type NewBlacklistEntry,
} from '../../../../domain/blacklistInput';
import { InputError } from '../../../../domain/inputError';
import { parseInput } from '../../../../domain/parseInput';
import { actorOf } from '../auth/requestContext';
import { withoutNulls } from '../graphql/withoutNulls';
import { PG_POOL } from '../infra/tokens';
import type { BlacklistBulkResult, BlacklistCheck, BlacklistEntryView } from './blacklistTypes';

// The blacklist as the API offers it, over adapters/postgres/blacklist.ts: entries checked by
// domain/blacklistInput.ts, and the same lookup the gate makes (findBlacklistEntry).

/** The roles that may remove an entry the dialer added itself. */
const REMOVE_AUTOMATIC: readonly ApiRole[] = ['admin', 'supervisor'];

const view = (e: BlacklistEntry): BlacklistEntryView => ({
  ...e, createdAt: e.createdAt.toISOString(), expiresAt: e.expiresAt?.toISOString() ?? null,
});

@Injectable()
export class BlacklistService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async get(id: number): Promise<BlacklistEntryView | null> {
    const entry = await readBlacklistEntry(this.pool, id);
    return entry && view(entry);
  }

  async list(filter: object | null, after: number | null, first: number): Promise<BlacklistEntryView[]> {
    const f = parseInput(blacklistFilterObject, withoutNulls(filter ?? {}), 'filter');
    return (await listBlacklistEntries(this.pool, f, { after, first }, Date.now())).map(view);
  }

  /** Is the number blocked (for this campaign, at this moment), and by which entry: the gate's own lookup. */
  async check(input: { number: string; campaignId: string | null; at: string | null }): Promise<BlacklistCheck> {
    const q = parseInput(blacklistCheckSchema, withoutNulls(input));
    let ignoredGroups: string[] = [];
    if (q.campaignId !== undefined) {
      const settings = await readCampaignSettings(this.pool, q.campaignId);
      if (!settings) throw new InputError('campaignId: no campaign with this id', [{ path: 'campaignId', message: 'no campaign with this id' }]);
      ignoredGroups = settings.ignoredBlacklistGroups;
    }
    const atMs = q.at ? Date.parse(q.at) : Date.now();
    const hit = await findBlacklistEntry(this.pool, q.number, ignoredGroups, atMs);
    // The entry in full; it may have gone between the two reads, and then nothing blocks.
    const entry = hit ? await readBlacklistEntry(this.pool, hit.id) : null;
    return { number: q.number, blocked: entry !== null, entry: entry && view(entry), ignoredGroups, at: new Date(atMs).toISOString() };
  }

  async addOne(input: object, caller: Principal): Promise<BlacklistEntryView> {
    const entry = parseInput(blacklistEntrySchema(Date.now()), withoutNulls(input));
    const { ids } = await addBlacklistEntries(this.pool, [withSource(entry, caller)], actorOf(caller));
    return view((await readBlacklistEntry(this.pool, ids[0]))!);
  }

  async addMany(input: object[], caller: Principal): Promise<BlacklistBulkResult> {
    const entries = parseInput(blacklistEntriesSchema(Date.now()), input.map((e) => withoutNulls(e)), 'entries');
    const { added } = await addBlacklistEntries(this.pool, entries.map((e) => withSource(e, caller)), actorOf(caller));
    return { received: entries.length, added, alreadyPresent: entries.length - added };
  }

  /** False when there is no such entry; an automatic entry only for admin and supervisor. */
  async remove(id: number, caller: Principal, from: string | null): Promise<boolean> {
    const allowAutomatic = REMOVE_AUTOMATIC.includes(caller.role);
    const result = await removeBlacklistEntry(this.pool, id, { allowAutomatic, actor: actorOf(caller), from });
    if (result === 'automatic') {
      throw new GraphQLError(`entry ${id} was added by the dialer: only ${REMOVE_AUTOMATIC.join(' or ')} may remove it`,
        { extensions: { code: 'FORBIDDEN' } });
    }
    return result === 'removed';
  }
}

/** An entry's source, when the caller gives none: the ERP's key says erp, a person manual. */
const withSource = (e: NewBlacklistEntry, caller: Principal) => ({ ...e, source: e.source ?? (caller.role === 'erp' ? 'erp' as const : 'manual' as const) });
