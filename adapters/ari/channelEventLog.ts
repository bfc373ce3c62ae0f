import type { AriClient } from './ariClient';
import type { AriEvent } from './ariTypes';

type EventType = AriEvent['type'];

/**
 * The events of one channel, buffered from before the originate (Asterisk may send
 * StasisStart before the originate's HTTP answer arrives), read in order by the call logic.
 * dispose() removes the listener: the per-channel listener leak of ari-client is the reason
 * this exists.
 */
export class ChannelEventLog {
  private readonly events: AriEvent[] = [];
  private cursor = 0;
  private wake: (() => void) | null = null;
  private readonly unsubscribe: () => void;
  readonly digits: string[] = [];
  destroyed: Extract<AriEvent, { type: 'ChannelDestroyed' }> | null = null;
  stasisEnded = false;
  /** Set by ChannelHangupRequest, which Asterisk sends before the PlaybackFinished of a cut message. */
  hangupRequested = false;
  /** The cause of the far end's (not our own, soft) hangup request. */
  hangupRequestCause: number | null = null;
  /** The last non-empty dialstatus of a Dial event whose peer is this channel. */
  dialStatus: string | null = null;
  /** An operator of the queue answered this (caller) channel. */
  operatorAnswered = false;
  /** GET /channels/{id} said 404 although no ChannelDestroyed arrived: the event was lost. */
  gone = false;

  constructor(client: AriClient, channelId: string) {
    this.unsubscribe = client.onChannel(channelId, (event) => {
      if (event.type === 'ChannelDtmfReceived') this.digits.push(event.digit);
      if (event.type === 'ChannelDestroyed') this.destroyed = event;
      // A channel sent to the dialplan (AMD, the operators' queue) leaves Stasis and may come back.
      if (event.type === 'StasisEnd') this.stasisEnded = true;
      if (event.type === 'StasisStart') this.stasisEnded = false;
      // A soft hangup request (cause 32) is our own DELETE; only a hard one is the subscriber.
      if (event.type === 'ChannelHangupRequest' && !event.soft) {
        this.hangupRequested = true;
        this.hangupRequestCause = event.cause ?? null;
      }
      if (event.type === 'Dial' && typeof event.dialstatus === 'string' && event.dialstatus) {
        const callerId = (event.caller as { id?: string } | undefined)?.id;
        if (callerId === channelId) {
          // The operators' queue dialling an agent for this subscriber.
          if (event.dialstatus === 'ANSWER') this.operatorAnswered = true;
        } else {
          this.dialStatus = event.dialstatus;
        }
      }
      this.events.push(event);
      this.wake?.();
    });
  }

  /**
   * The next event (after those already read) of one of `types` and passing `accept`, or null
   * when `timeoutMs` passes or `signal` aborts. `tick` runs every `tickMs` while waiting.
   */
  async next<T extends EventType>(
    types: readonly T[],
    timeoutMs: number,
    opts: { accept?: (e: Extract<AriEvent, { type: T }>) => boolean; tick?: () => void; tickMs?: number; signal?: AbortSignal } = {},
  ): Promise<Extract<AriEvent, { type: T }> | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.events.length) {
        const e = this.events[this.cursor++];
        if ((types as readonly string[]).includes(e.type)) {
          const typed = e as Extract<AriEvent, { type: T }>;
          if (!opts.accept || opts.accept(typed)) return typed;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || opts.signal?.aborted || this.gone) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, opts.tickMs ?? 5000));
        const onAbort = (): void => done();
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        function done(): void {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        this.wake = () => { this.wake = null; done(); };
      });
      this.wake = null;
      opts.tick?.();
    }
  }

  /** The channel no longer exists: every wait ends now, as if its last events had come. */
  markGone(): void {
    this.gone = true;
    this.wake?.();
  }

  dispose(): void {
    this.unsubscribe();
    this.wake = null;
  }
}
