import { Counter, Gauge, Histogram } from 'prom-client';
import type { CallOutcome } from '../../domain/outcomes';
import type { PlacedCall } from '../ari/telephony';
import type { GateRefusal } from '../../domain/types';
import { registry } from './registry';

// The dialer's metrics. Labels carry only closed sets (outcomes, refusal rules, import
// results): never a number, a name, an amount, nor an id. Not even the campaign's id: campaigns
// accumulate for the life of a worker (the demo makes one a run), each would keep its series
// until a restart, and per-campaign figures are already in Postgres (attempts, live counters).

export const callsTotal = new Counter({
  name: 'dialer_calls_total',
  help: 'Calls placed (attempt rows recorded with an outcome other than refused), by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const callsInFlight = new Gauge({
  name: 'dialer_calls_in_flight',
  help: 'Calls whose originate was sent and that have not ended yet, in this process',
  registers: [registry],
});

export const gateRefusalsTotal = new Counter({
  name: 'dialer_gate_refusals_total',
  help: 'Refusals of the gate (before the wait and right before the originate), by rule',
  labelNames: ['rule'] as const,
  registers: [registry],
});

export const originateSeconds = new Histogram({
  name: 'dialer_originate_seconds',
  help: 'Time from sending an originate to its acceptance (or failure) by Asterisk',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const importedRowsTotal = new Counter({
  name: 'dialer_imported_rows_total',
  help: 'Rows of contact list imports, by result: imported (new), unchanged (already there), rejected',
  labelNames: ['result'] as const,
  registers: [registry],
});

/** The record step wrote a new attempt row: a placed call counts, a refusal does not (the gate's counter has it). */
export function countRecordedAttempt(outcome: CallOutcome): void {
  if (outcome !== 'refused') callsTotal.inc({ outcome });
}

export function countGateRefusal(rule: GateRefusal): void {
  gateRefusalsTotal.inc({ rule });
}

/** One committed batch of a list import. */
export function countImportedRows(rows: { imported: number; unchanged: number; rejected: number }): void {
  for (const result of ['imported', 'unchanged', 'rejected'] as const) {
    if (rows[result] > 0) importedRowsTotal.inc({ result }, rows[result]);
  }
}

/**
 * Wraps an originate: times the request, and holds the call in flight from the moment the
 * originate is sent until it fails or the placed call's follow() settles, whatever its end.
 */
export async function meterOriginate(originate: () => Promise<PlacedCall>): Promise<PlacedCall> {
  const stopTimer = originateSeconds.startTimer();
  callsInFlight.inc();
  let placed: PlacedCall;
  try {
    placed = await originate();
  } catch (err) {
    callsInFlight.dec();
    throw err;
  } finally {
    stopTimer();
  }
  let ended = false;
  return {
    follow: () => placed.follow().finally(() => {
      if (!ended) callsInFlight.dec();
      ended = true;
    }),
  };
}

// Speech: the cache of synthesised and uploaded audio (adapters/speech/audioStore.ts) and the
// requests it makes to the providers. Labels: the provider's name and the result, closed sets.

export const speechCacheHitsTotal = new Counter({
  name: 'dialer_speech_cache_hits_total',
  help: 'Speech asked of the cache and found there (no synthesis request)',
  registers: [registry],
});

export const speechCacheMissesTotal = new Counter({
  name: 'dialer_speech_cache_misses_total',
  help: 'Speech asked of the cache and not found: one synthesis request (shared by concurrent asks)',
  registers: [registry],
});

export const speechRequestsTotal = new Counter({
  name: 'dialer_speech_requests_total',
  help: 'Synthesis requests to the speech providers, by provider and result (ok, unavailable: retried later, rejected: failed for good)',
  labelNames: ['provider', 'result'] as const,
  registers: [registry],
});

export const speechCacheEvictionsTotal = new Counter({
  name: 'dialer_speech_cache_evictions_total',
  help: 'Audio files removed from the speech cache to keep it under its size limit',
  registers: [registry],
});

export const speechCacheBytes = new Gauge({
  name: 'dialer_speech_cache_bytes',
  help: 'Bytes of audio in the speech cache folder, as this process last counted them',
  registers: [registry],
});

export type SpeechRequestResult = 'ok' | 'unavailable' | 'rejected';

export function countSpeechRequest(provider: string, result: SpeechRequestResult): void {
  speechRequestsTotal.inc({ provider, result });
}

// Trunks: their health and their automatic blacklisting. The trunk label is a trunk's name (an
// ARI endpoint such as PJSIP/carrier, or the name in the trunk table): a closed set an operator
// configures, never a number. Changes are counted once per change, not per call or contact.

export const trunkUp = new Gauge({
  name: 'dialer_trunk_up',
  help: 'Whether this worker takes the trunk for up (1) or down (0): endpoint state, allocation failures, carrier refusals',
  labelNames: ['trunk'] as const,
  registers: [registry],
});

export const trunkStateChangesTotal = new Counter({
  name: 'dialer_trunk_state_changes_total',
  help: 'Changes of a trunk between up and down as this worker saw them, by the state entered and why',
  labelNames: ['trunk', 'state', 'reason'] as const,
  registers: [registry],
});

export const autoBlacklistTotal = new Counter({
  name: 'dialer_auto_blacklist_results_total',
  help: 'Invalid-number results per trunk, by fate: added to the blacklist, held (the breaker was open), counted (more proof needed)',
  labelNames: ['trunk', 'fate'] as const,
  registers: [registry],
});

export const autoBlacklistSuspended = new Gauge({
  name: 'dialer_auto_blacklist_suspended',
  help: 'Whether automatic blacklisting is suspended for the trunk (1): its rate of invalid results jumped far above its usual rate',
  labelNames: ['trunk'] as const,
  registers: [registry],
});
