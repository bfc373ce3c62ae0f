// The simulator's state shared by the channel state machine, the playbacks and the dialplan:
// what one simulated channel holds, its ids and the counters behind /_sim/stats.
import type { AriChannel, AriPlayback } from '../../adapters/ari/ariTypes';
import { BEHAVIOURS, type Behaviour } from './subscriberBehaviour';

export interface SimPlayback {
  pb: AriPlayback;
  medias: string[];
  started: boolean;
  canceled: boolean;
  timer: NodeJS.Timeout | null;
}

export interface DialplanTarget {
  context: string;
  extension: string;
  priority: number;
}

export interface SimOperator {
  /** 1-based, as the queue's members Local/1@sim-operators, Local/2@sim-operators... */
  member: number;
  busy: boolean;
}

export interface SimChannel {
  snap: AriChannel;
  app: string;
  args: string[];
  behaviour: Behaviour;
  /** Unscaled ring limit in ms; null = no limit (timeout -1). */
  ringLimitMs: number | null;
  inStasis: boolean;
  ended: boolean;
  timers: NodeJS.Timeout[];
  playing: SimPlayback | null;
  queue: SimPlayback[];
  /** answer_press_1: the DTMF is still to be scheduled on the first PlaybackStarted. */
  dtmfArmed: boolean;
  /** Channel variables: the originate's `variables` and POST /channels/{id}/variable. */
  vars: Map<string, string>;
  /** A continue waiting for the playbacks before it in the channel's control queue. */
  leaving: DialplanTarget | null;
  /** In the operators' queue: since when (real ms) and until when (unscaled ms after that). */
  inQueue: null | { enteredAt: number; timeoutMs: number; timer: NodeJS.Timeout | null };
  /** The operator ringing for this channel (inQueue still set) or talking with it. */
  operator: SimOperator | null;
}

export function clearTimers(ch: SimChannel): void {
  for (const t of ch.timers) clearTimeout(t);
  ch.timers.length = 0;
}

/** Channel ids and names, one sequence for the subscribers' and the operators' channels. */
export class ChannelIds {
  private idSeq = 0;
  private nameSeq = 0;

  /** Asterisk's unique id: the creation second and a sequence number. */
  nextId(nowMs: number): string {
    return `${Math.floor(nowMs / 1000)}.${this.idSeq++}`;
  }

  /** The 8-hex-digit sequence Asterisk appends to channel names (ast_atomic_fetchadd_int(&chancount)). */
  nextNameSuffix(): string {
    return (this.nameSeq++ & 0xffffffff).toString(16).padStart(8, '0');
  }
}

export class Counters {
  originates = 0;
  maxActiveChannels = 0;
  byBehaviour: Record<string, number> = emptyByBehaviour();
  /** Subscribers an operator answered in the operators' queue. */
  operatorCalls = 0;
  /** Channels sent to the dialer-amd context. */
  amdChecks = 0;

  /** Zeroes every counter; the high-water mark starts again from the channels still up. */
  reset(activeChannels: number): void {
    this.originates = 0;
    this.maxActiveChannels = activeChannels;
    this.byBehaviour = emptyByBehaviour();
    this.operatorCalls = 0;
    this.amdChecks = 0;
  }
}

function emptyByBehaviour(): Record<string, number> {
  return Object.fromEntries(BEHAVIOURS.map((b) => [b, 0]));
}
