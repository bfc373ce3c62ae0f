// Every originate the simulator accepted, with the moment it arrived: the record a test holds
// against "no call left after the pause returned". Channel ids only (the attempt rows name the
// contact); no numbers.
import type { AriChannel } from '../../adapters/ari/ariTypes';
import type { Channels } from './channels';

export interface OriginateEntry {
  /** Wall-clock ms when the simulator accepted the POST /channels (before its answer left). */
  atMs: number;
  channelId: string;
}

export class OriginateLog {
  private readonly entries: OriginateEntry[] = [];

  record(channelId: string, atMs = Date.now()): void {
    this.entries.push({ atMs, channelId });
  }

  /** Every originate so far, oldest first. */
  list(): readonly OriginateEntry[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** Writes every originate the channels accept into `log` (a refused one is not a call). */
export function logOriginates(channels: Channels, log: OriginateLog): void {
  const originate = channels.originate.bind(channels);
  channels.originate = (...args: Parameters<Channels['originate']>): AriChannel => {
    const channel = originate(...args);
    log.record(channel.id);
    return channel;
  };
}
