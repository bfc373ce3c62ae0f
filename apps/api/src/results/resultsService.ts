import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Readable } from 'node:stream';
import { listAttempts, readContactResults, streamAttempts, type AttemptRow } from '../../../../adapters/postgres/results';
import { contactWorkflowId } from '../../../../domain/ids';
import { InputError } from '../../../../domain/inputError';
import { parseInput } from '../../../../domain/parseInput';
import { attemptFilterSchema, type AttemptFilter } from '../../../../domain/resultsFilter';
import type { ApiConfig } from '../apiConfig';
import { API_CONFIG, PG_POOL } from '../infra/tokens';
import type { Attempt, AttemptPage, ContactResults } from './resultsTypes';

/** The largest page of attempts one request may ask for. */
export const MAX_PAGE = 1000;

@Injectable()
export class ResultsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool, @Inject(API_CONFIG) private readonly config: ApiConfig) {}

  async attempts(filter: unknown, first: number, after: string | null): Promise<AttemptPage> {
    const parsed = parseFilter(filter);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
      throw new InputError(`first: between 1 and ${MAX_PAGE}`, [{ path: 'first', message: `between 1 and ${MAX_PAGE}` }]);
    }
    if (after !== null && !/^\d{1,18}$/.test(after)) {
      throw new InputError('after: the endCursor of a previous page', [{ path: 'after', message: 'the endCursor of a previous page' }]);
    }
    const page = await listAttempts(this.pool, parsed, { afterId: after === null ? null : Number(after), first });
    const items = page.rows.map(toAttempt);
    return { items, endCursor: items.at(-1)?.id ?? null, hasNextPage: page.hasNextPage };
  }

  async contact(campaignId: string, externalId: string): Promise<ContactResults | null> {
    const c = await readContactResults(this.pool, campaignId, externalId);
    if (!c) return null;
    const workflowId = contactWorkflowId(c.campaignId, c.externalId);
    return {
      id: String(c.id), campaignId: c.campaignId, externalId: c.externalId, state: c.state, outcome: c.outcome, calls: c.calls,
      createdAt: c.createdAt, finishedAt: c.finishedAt, numbers: c.numbers.map((n) => ({ position: n.position, number: n.e164 })),
      wait: c.wait, attempts: c.attempts.map(toAttempt), workflowId, temporalUrl: this.temporalUrl(workflowId),
    };
  }

  /** The workflow's page in the Temporal UI. */
  temporalUrl(workflowId: string): string {
    const base = this.config.TEMPORAL_UI_URL.replace(/\/+$/, '');
    return `${base}/namespaces/${encodeURIComponent(this.config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  /** Every attempt of the filter, as rows read through a cursor. */
  stream(filter: AttemptFilter): Promise<Readable> {
    return streamAttempts(this.pool, filter);
  }
}

/** The filter checked against its schema; bad input names the field (`filter.to`). */
export function parseFilter(filter: unknown, prefix = 'filter'): AttemptFilter {
  return parseInput(attemptFilterSchema, filter, prefix);
}

export function toAttempt(r: AttemptRow): Attempt {
  const g = r.gate;
  return {
    id: String(r.id), campaignId: r.campaign_id, externalId: r.external_id, phonePosition: r.phone_position, number: r.e164, callerId: r.caller_id,
    numberAttempt: r.number_attempt, outcome: r.outcome, startedAt: r.started_at, answeredAt: r.answered_at, endedAt: r.ended_at,
    hangupCause: r.hangup_cause, dtmf: r.dtmf, listenedMs: r.listened_ms, timeZones: r.time_zones ?? [],
    gate: {
      allowed: g.allowed, refusal: g.allowed ? null : g.refusal, checkedAt: new Date(g.checkedAt),
      retryAt: !g.allowed && g.retryAt ? new Date(g.retryAt) : null,
      checks: g.checks.map((c) => ({ rule: c.rule, passed: c.passed, detail: c.detail ?? null })),
    },
  };
}
