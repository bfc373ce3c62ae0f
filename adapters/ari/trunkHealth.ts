import type { AriClient } from './ariClient';
import { TrunkDownError, type TrunkDownReason } from './telephony';
import { trunkStateChangesTotal, trunkUp } from '../metrics/dialerMetrics';

// Whether a trunk can carry a call now, as this worker knows it: ARI's endpoint state (a PJSIP
// endpoint goes offline when its qualify OPTIONS go unanswered), an originate Asterisk could not
// allocate a channel for, or the carrier refusing our calls (403). A trunk that is down is not
// dialled: the call activity places nothing and charges nothing (docs/outcomes.md).

export interface TrunkStateChange {
  trunk: string;
  up: boolean;
  /** Why it is down; null when it came up. */
  reason: TrunkDownReason | null;
  at: Date;
}

export interface TrunkHealthOptions {
  /** After an allocation failure, calls wait this long before one tries again (unless ARI says online). */
  allocationHoldMs?: number;
  /** After this many refusals in a row (no call carried between them) the trunk is down. */
  refusalsToHold?: number;
  /** ... and calls wait this long before one tries again. */
  refusedHoldMs?: number;
  /**
   * How long a contact waits before asking again while the endpoint is offline: this at first,
   * then half the time the trunk has been down, up to maxRetryMs (a long outage is not polled by
   * every contact every few seconds; a short one is noticed soon after it ends).
   */
  offlineRetryMs?: number;
  maxRetryMs?: number;
  /** Called once per change of a trunk's state (the worker logs it). */
  onChange?: (change: TrunkStateChange) => void;
  now?: () => number;
}

interface TrunkState {
  up: boolean;
  reason: TrunkDownReason | null;
  /** Since when it is in this state (up or down). */
  since: number;
  /** Down for a reason no event will clear (an allocation failure, a refusal): until this moment. */
  holdUntil: number | null;
}

/**
 * The trunk of an originate's endpoint: 'PJSIP/{number}@carrier' → 'PJSIP/carrier',
 * 'PJSIP/carrier/sip:{number}@host' → 'PJSIP/carrier'. Local/ channels (the sandbox's simulated
 * carrier) and anything else have no trunk to watch: null.
 */
export function trunkOfEndpoint(template: string): { tech: string; resource: string } | null {
  const m = /^PJSIP\/(?:[^@/]*@([A-Za-z0-9._-]+)|([A-Za-z0-9._-]+)\/sip:.*)$/.exec(template);
  if (!m) return null;
  return { tech: 'PJSIP', resource: m[1] ?? m[2] };
}

/** The trunk's name as ARI calls its endpoint ('PJSIP/carrier'); null for no trunk. */
function trunkName(template: string): string | null {
  const endpoint = trunkOfEndpoint(template);
  return endpoint && `${endpoint.tech}/${endpoint.resource}`;
}

export class TrunkHealth {
  private readonly states = new Map<string, TrunkState>();
  private readonly watched = new Map<string, Promise<void>>();
  /** Refusals in a row per trunk: one 403 may be about one destination, several are about us. */
  private readonly refusals = new Map<string, number>();
  private readonly refusalsToHold: number;
  private readonly allocationHoldMs: number;
  private readonly refusedHoldMs: number;
  private readonly offlineRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly now: () => number;

  constructor(private readonly client: AriClient, private readonly opts: TrunkHealthOptions = {}) {
    this.allocationHoldMs = opts.allocationHoldMs ?? 15_000;
    this.refusedHoldMs = opts.refusedHoldMs ?? 60_000;
    this.refusalsToHold = opts.refusalsToHold ?? 3;
    this.offlineRetryMs = opts.offlineRetryMs ?? 20_000;
    this.maxRetryMs = Math.max(this.offlineRetryMs, opts.maxRetryMs ?? 120_000);
    this.now = opts.now ?? Date.now;
    client.onEvent((e) => {
      if (e.type !== 'EndpointStateChange') return;
      const trunk = `${e.endpoint.technology}/${e.endpoint.resource}`;
      if (this.watched.has(trunk)) this.onEndpointState(trunk, e.endpoint.state);
    });
    // Events sent while the socket was down are lost, and so are the subscriptions.
    client.onReconnect(() => {
      for (const trunk of [...this.watched.keys()]) this.watched.set(trunk, this.startWatching(trunk));
    });
  }

  /**
   * Throws TrunkDownError when the trunk of `template` is down; resolves for a trunk that is up
   * or not known yet, and for endpoints that are no trunk (Local/). The first call for a trunk
   * subscribes to its endpoint's events and reads its state.
   */
  async ensureUp(template: string): Promise<void> {
    const trunk = trunkName(template);
    if (!trunk) return;
    let watching = this.watched.get(trunk);
    if (!watching) {
      watching = this.startWatching(trunk);
      this.watched.set(trunk, watching);
    }
    await watching;
    const s = this.states.get(trunk);
    if (!s || s.up) return;
    const now = this.now();
    // A hold that passed lets calls try the trunk again; the first to get through brings it up.
    if (s.holdUntil !== null && now >= s.holdUntil) return;
    const retryAfterMs = s.holdUntil !== null ? s.holdUntil - now
      : Math.min(this.maxRetryMs, Math.max(this.offlineRetryMs, Math.round((now - s.since) / 2)));
    throw new TrunkDownError(trunk, s.reason ?? 'unknown', retryAfterMs);
  }

  /** POST /channels answered "Allocation failed" for this trunk's endpoint. */
  allocationFailed(template: string): TrunkDownError {
    return this.holdDown(template, 'allocation_failed', this.allocationHoldMs, null);
  }

  /**
   * The carrier refused our call (403 and the like): no subscriber was asked, so it is never an
   * attempt. A refusal may concern one destination (a barred range); several in a row, with no
   * call carried between them, concern the trunk, which is then held down for a while.
   */
  refused(template: string, sipCode: number): TrunkDownError {
    const trunk = trunkName(template) ?? template;
    const inARow = (this.refusals.get(trunk) ?? 0) + 1;
    this.refusals.set(trunk, inARow);
    if (inARow >= this.refusalsToHold) return this.holdDown(template, 'refused', this.refusedHoldMs, sipCode);
    return new TrunkDownError(trunk, 'refused', this.refusedHoldMs, sipCode);
  }

  /** A call got an answer of a subscriber (any outcome but a refusal): the trunk carries calls. */
  carried(template: string): void {
    const trunk = trunkName(template);
    if (!trunk) return;
    this.refusals.delete(trunk);
    const s = this.states.get(trunk);
    // An offline endpoint comes back by its event, not by one call that slipped through.
    if (s && !s.up && s.holdUntil !== null) this.set(trunk, { up: true, reason: null, holdUntil: null, since: this.now() });
  }

  /** What this worker knows of each trunk it has dialled through. */
  snapshot(): { trunk: string; up: boolean; reason: TrunkDownReason | null }[] {
    return [...this.states].map(([trunk, s]) => ({ trunk, up: s.up, reason: s.reason }));
  }

  private holdDown(template: string, reason: TrunkDownReason, holdMs: number, sipCode: number | null): TrunkDownError {
    const trunk = trunkName(template);
    if (trunk) this.set(trunk, { up: false, reason, holdUntil: this.now() + holdMs, since: this.now() });
    return new TrunkDownError(trunk ?? template, reason, holdMs, sipCode);
  }

  private async startWatching(trunk: string): Promise<void> {
    const [tech, resource] = trunk.split('/');
    try {
      await this.client.subscribe(`endpoint:${trunk}`);
      const endpoint = await this.client.getEndpoint(tech, resource);
      if (endpoint) this.onEndpointState(trunk, endpoint.state);
    } catch {
      // ARI could not say: the trunk is taken as it was, and an originate will tell.
    }
  }

  private onEndpointState(trunk: string, state: string | undefined): void {
    if (state === 'online') {
      this.set(trunk, { up: true, reason: null, holdUntil: null, since: this.now() });
    } else if (state === 'offline' || state === 'unknown') {
      this.set(trunk, { up: false, reason: state, holdUntil: null, since: this.now() });
    }
  }

  private set(trunk: string, next: TrunkState): void {
    const before = this.states.get(trunk);
    // The same state again keeps the moment it began (a renewed hold, a repeated event).
    const same = before !== undefined && before.up === next.up && before.reason === next.reason;
    this.states.set(trunk, same ? { ...next, since: before.since } : next);
    trunkUp.set({ trunk }, next.up ? 1 : 0);
    // Once per change: a hold renewed by the next refusal, or an offline trunk staying offline,
    // is no news.
    if (same) return;
    if (!before && next.up) return; // first sight of a healthy trunk
    trunkStateChangesTotal.inc({ trunk, state: next.up ? 'up' : 'down', reason: next.reason ?? 'online' });
    this.opts.onChange?.({ trunk, up: next.up, reason: next.reason, at: new Date(this.now()) });
  }
}
