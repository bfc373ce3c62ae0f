import { Counter, Gauge } from 'prom-client';
import { registry } from './registry';

// The trunks' health and their automatic blacklisting. The trunk label is a trunk's name (an
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
