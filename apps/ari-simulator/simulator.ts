/**
 * ARI simulator: an HTTP + WebSocket server that speaks the subset of Asterisk 22's ARI the
 * dialer uses (docs.asterisk.org, "Asterisk REST Interface": Channels, Playbacks, Events), so
 * the same AriClient talks to it now and to a real Asterisk later. This module assembles it
 * and is what other code imports; the parts, by role:
 *
 *   httpServer.ts           authentication, the routes, the events WebSocket upgrade
 *   eventHub.ts             one WebSocket per Stasis app; every event goes out (or is lost) here
 *   channels.ts             the channel state machine: originate, ring, answer, hang up, variables
 *   playbacks.ts            playbacks queued per channel, their events and lengths
 *   dialplan.ts             continue into the dialplan: dialer-amd, dialer-operators, anything else
 *   subscriberBehaviour.ts  what a dialled number does (by rule or probability) and its durations
 *   hourProfiles.ts         subscribers who answer by their local hour (deterministic per seed)
 *   timeScale.ts            the one factor every simulated duration goes through
 *   channelModel.ts         the state they share: a channel, ids, counters
 *   asteriskFormats.ts      Asterisk's cause texts, timestamps, caller ids, ids
 *   httpFailure.ts          an ARI request refused with a status and Asterisk's message
 *   originateLog.ts         every accepted originate with the moment it arrived
 *
 * Where it deliberately differs from Asterisk: originating into an app that has no events
 * WebSocket is refused with 400 (Asterisk accepts it and hangs the channel up on answer);
 * there are no ChannelCreated/ChannelDialplan/ChannelVarset events and the only Dial event is
 * the operator's ANSWER (Asterisk sends Dial "" and RINGING before it, and Dial events for
 * every originate); the operators' channels are not listed in GET /channels and send no
 * events of their own.
 */
import { ChannelIds, Counters } from './channelModel';
import { Channels } from './channels';
import { Dialplan } from './dialplan';
import { EventHub } from './eventHub';
import { HttpServer } from './httpServer';
import { logOriginates, OriginateLog, type OriginateEntry } from './originateLog';
import { Playbacks } from './playbacks';
import type { HourProfile } from './hourProfiles';
import { BehaviourPicker, type Behaviour, type NumberRule } from './subscriberBehaviour';
import { TimeScale } from './timeScale';

export { causeText, numberFromEndpoint } from './asteriskFormats';
export type { OriginateEntry } from './originateLog';
export type { HourProfile } from './hourProfiles';
export {
  BEHAVIOURS, defaultNumberRules, defaultProbabilities, type Behaviour, type NumberRule,
} from './subscriberBehaviour';

export interface SimulatorOptions {
  host?: string;
  /** 0 = any free port. */
  port?: number;
  username: string;
  password: string;
  /** Multiplies every simulated duration: 1 real time, 0.01 fast tests, 0 zero-length. */
  timeScale?: number;
  mode?: 'rules' | 'probability';
  rules?: NumberRule[];
  probabilities?: Partial<Record<Behaviour, number>>;
  /** Seed of the probability mode's PRNG and of the hour profiles' draws; default 1, so runs repeat. */
  seed?: number;
  /** Numbers that answer by their local hour (hourProfiles.ts), before the rules or probabilities. */
  hourProfiles?: readonly HourProfile[];
  /** The clock the hour profiles read: the wall clock by default, a test server's under time skipping. */
  clock?: () => number;
  /** Members of the operators' queue (context dialer-operators); default 2, 0 = nobody answers. */
  operators?: number;
  /**
   * Event types never delivered, to test a client against lost events (a real Asterisk 22 lost
   * about 2 % of ChannelDestroyed at 50 concurrent originates, docs/architecture.md).
   */
  lostEvents?: readonly string[];
}

export interface SimulatorStats {
  originates: number;
  activeChannels: number;
  maxActiveChannels: number;
  byBehaviour: Record<string, number>;
  /** Subscribers an operator answered in the operators' queue. */
  operatorCalls: number;
  /** Channels sent to the dialer-amd context. */
  amdChecks: number;
}

export interface AriSimulator {
  /** http://host:port */
  url: string;
  close(): Promise<void>;
  stats(): SimulatorStats;
  /** Every originate accepted since the start (or the last reset), with its arrival time. */
  originates(): readonly OriginateEntry[];
  /** Zeroes the counters and forgets earlier calls per number (so a '5' is busy again). */
  resetStats(): void;
}

class Simulator implements AriSimulator {
  url = '';
  private readonly picker: BehaviourPicker;
  private readonly counters = new Counters();
  private readonly originateLog = new OriginateLog();
  private readonly hub: EventHub;
  private readonly channels: Channels;
  private readonly playbacks: Playbacks;
  private readonly dialplan: Dialplan;
  private readonly http: HttpServer;

  constructor(private readonly opts: SimulatorOptions) {
    const time = new TimeScale(opts.timeScale ?? 1);
    this.picker = new BehaviourPicker(opts);
    const ids = new ChannelIds();
    const hub = new EventHub(opts.lostEvents);
    // The parts call each other both ways (a hang-up frees a queue place, the dialplan hangs
    // up, a continue waits for the playbacks); the closures resolve once all are built.
    const playbacks: Playbacks = new Playbacks({
      hub, time,
      findChannel: (id) => channels.find(id),
      leave: (ch, to) => dialplan.leave(ch, to),
    });
    const channels: Channels = new Channels({
      hub, time, picker: this.picker, playbacks, counters: this.counters, ids,
      onEnd: (ch) => dialplan.leaveQueue(ch),
    });
    const dialplan: Dialplan = new Dialplan({ channels, hub, time, counters: this.counters, ids, operators: opts.operators });
    logOriginates(channels, this.originateLog);
    this.hub = hub;
    this.playbacks = playbacks;
    this.channels = channels;
    this.dialplan = dialplan;
    this.http = new HttpServer({
      username: opts.username, password: opts.password, hub, channels, playbacks, dialplan,
      stats: () => this.stats(),
      resetStats: () => this.resetStats(),
    });
  }

  async listen(): Promise<void> {
    this.url = await this.http.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1');
  }

  stats(): SimulatorStats {
    return {
      originates: this.counters.originates,
      activeChannels: this.channels.size,
      maxActiveChannels: this.counters.maxActiveChannels,
      byBehaviour: { ...this.counters.byBehaviour },
      operatorCalls: this.counters.operatorCalls,
      amdChecks: this.counters.amdChecks,
    };
  }

  originates(): readonly OriginateEntry[] {
    return this.originateLog.list();
  }

  resetStats(): void {
    this.counters.reset(this.channels.size);
    this.originateLog.clear();
    this.picker.forgetCalls();
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.playbacks.clear();
    this.dialplan.clear();
    await this.hub.close();
    await this.http.close();
  }
}

export async function startAriSimulator(opts: SimulatorOptions): Promise<AriSimulator> {
  const sim = new Simulator(opts);
  await sim.listen();
  return sim;
}
