/**
 * What a channel does after POST /channels/{id}/continue: the dialer's dialplan contexts, as
 * asterisk/sandbox/extensions.conf writes them, at extension s priority 1.
 *
 *   dialer-amd        AMD() for 2.5 s, then back in Stasis: StasisStart args ['amd', 'MACHINE',
 *                     'LONGGREETING-1500-1500'] for the machine behaviour, ['amd', 'HUMAN',
 *                     'HUMAN-800-800'] otherwise.
 *   dialer-operators  Queue(operators) with `operators` members (default 2), timeout the channel
 *                     variable QUEUE_TIMEOUT (default 300 s). A free operator answers after 1 s
 *                     (only if that is before the timeout): Dial {caller: the channel, peer: the
 *                     operator's Local channel, dialstatus ANSWER}; the two talk until the
 *                     subscriber hangs up (its usual listening time) or the app hangs it up, and
 *                     the operator never hangs up first. Nobody free in time: back in Stasis
 *                     with args ['queue', 'TIMEOUT']. A waiting caller gets the next operator freed.
 *   anything else     does nothing and hangs up at once: ChannelHangupRequest 16, ChannelDestroyed 16.
 *
 * Both contexts return to the app in the channel variable DIALER_APP, else 'dialer' (not
 * registered: the channel hangs up). A subscriber who hangs up outside Stasis gives
 * ChannelHangupRequest and ChannelDestroyed, no StasisEnd.
 */
import type { AriChannel } from '../../adapters/ari/ariTypes';
import { ariTime } from './asteriskFormats';
import type { ChannelIds, Counters, DialplanTarget, SimChannel, SimOperator } from './channelModel';
import type { Channels } from './channels';
import type { EventHub } from './eventHub';
import type { TimeScale } from './timeScale';

/** AMD() in dialer-amd until the channel is back in Stasis (~2.5 s machine, ~2 s human observed). */
const AMD_MS = 2500;
/** A free operator rings this long before answering (sim-operators: Wait(1), Answer()). */
const OPERATOR_ANSWER_MS = 1000;
/** dialer-operators: Queue()'s timeout when the channel has no QUEUE_TIMEOUT. */
const DEFAULT_QUEUE_TIMEOUT_S = 300;
const DEFAULT_OPERATORS = 2;
/** The app dialer-amd and dialer-operators return to when the channel has no DIALER_APP. */
const DEFAULT_RETURN_APP = 'dialer';

export interface DialplanDeps {
  channels: Channels;
  hub: EventHub;
  time: TimeScale;
  counters: Counters;
  ids: ChannelIds;
  /** Members of the operators' queue; default 2, 0 = nobody answers. */
  operators: number | undefined;
}

export class Dialplan {
  private readonly operators: SimOperator[];
  /** Channels waiting in the operators' queue for a free operator, longest waiting first. */
  private readonly queueWaiting: SimChannel[] = [];

  constructor(private readonly deps: DialplanDeps) {
    const operators = deps.operators ?? DEFAULT_OPERATORS;
    if (!Number.isInteger(operators) || operators < 0) throw new Error('operators must be an integer >= 0');
    this.operators = Array.from({ length: operators }, (_, i) => ({ member: i + 1, busy: false }));
  }

  /** resource_channels.c ast_ari_channels_continue_in_dialplan(): the same defaults for a
   * missing context, extension and priority. Asterisk queues the continue in the channel's
   * control queue, so it waits for the playbacks already there. */
  continueInDialplan(id: string, q: URLSearchParams): void {
    const ch = this.deps.channels.controllable(id);
    const context = q.get('context') || undefined;
    const extension = q.get('extension') || undefined;
    const priorityRaw = Number.parseInt(q.get('priority') ?? '', 10);
    const to: DialplanTarget = {
      context: context ?? ch.snap.dialplan.context,
      extension: extension ?? (context ? 's' : ch.snap.dialplan.exten),
      priority: priorityRaw ? priorityRaw : !context && !extension ? ch.snap.dialplan.priority + 1 : 1,
    };
    if (ch.playing) ch.leaving = to;
    else this.leave(ch, to);
  }

  /** The channel leaves Stasis and runs the dialplan at `to`. */
  leave(ch: SimChannel, to: DialplanTarget): void {
    ch.leaving = null;
    ch.inStasis = false;
    this.deps.hub.emit(ch.app, 'StasisEnd', { channel: ch.snap });
    ch.snap.dialplan = { context: to.context, exten: to.extension, priority: to.priority, app_name: '', app_data: '' };
    const atStart = to.extension === 's' && to.priority === 1;
    if (atStart && to.context === 'dialer-amd') this.runAmd(ch);
    else if (atStart && to.context === 'dialer-operators') this.enterQueue(ch);
    // Any other place: dialplan that does nothing (or does not exist) and hangs up.
    else this.deps.time.after(ch, 0, () => this.deps.channels.remoteHangup(ch, 16));
  }

  /** Out of the queue (timed out or hung up): its place and its operator are free again. */
  leaveQueue(ch: SimChannel): void {
    ch.inQueue = null;
    const i = this.queueWaiting.indexOf(ch);
    if (i >= 0) this.queueWaiting.splice(i, 1);
    if (ch.operator) {
      ch.operator.busy = false;
      ch.operator = null;
      this.dispatchQueue();
    }
  }

  /** Empties the queue and frees every operator, for close(). */
  clear(): void {
    this.queueWaiting.length = 0;
    for (const op of this.operators) op.busy = false;
  }

  /** dialer-amd: AMD(), then Stasis(${DIALER_APP},amd,${AMDSTATUS},${AMDCAUSE}). */
  private runAmd(ch: SimChannel): void {
    this.deps.counters.amdChecks++;
    ch.snap.dialplan = { ...ch.snap.dialplan, app_name: 'AMD', app_data: '' };
    const [status, cause] = ch.behaviour === 'machine' ? ['MACHINE', 'LONGGREETING-1500-1500'] : ['HUMAN', 'HUMAN-800-800'];
    this.deps.time.after(ch, AMD_MS, () => {
      ch.vars.set('AMDSTATUS', status);
      ch.vars.set('AMDCAUSE', cause);
      this.backToStasis(ch, ['amd', status, cause]);
    });
  }

  /** The dialplan's Stasis(${DIALER_APP}, ...) at priority 2: the channel enters the app again. */
  private backToStasis(ch: SimChannel, args: string[]): void {
    const app = ch.vars.get('DIALER_APP') || DEFAULT_RETURN_APP;
    ch.snap.dialplan = { ...ch.snap.dialplan, priority: 2, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    if (!this.deps.hub.has(app)) {
      // Stasis() fails for an app nobody registered, and the call ends.
      this.deps.channels.remoteHangup(ch, 16);
      return;
    }
    ch.app = app;
    ch.inStasis = true;
    this.deps.hub.emit(app, 'StasisStart', { args, channel: ch.snap });
  }

  /** dialer-operators: Queue(operators,,,,${QUEUE_TIMEOUT}), then Stasis(${DIALER_APP},queue,${QUEUESTATUS}). */
  private enterQueue(ch: SimChannel): void {
    const raw = ch.vars.get('QUEUE_TIMEOUT');
    // app_queue.c: expire = start + atoi(timeout), so 0 or garbage gives up at once.
    const timeoutS = raw === undefined || raw === '' ? DEFAULT_QUEUE_TIMEOUT_S : Math.max(0, Number.parseInt(raw, 10) || 0);
    ch.snap.dialplan = { ...ch.snap.dialplan, app_name: 'Queue', app_data: `operators,,,,${timeoutS}` };
    const entry: NonNullable<SimChannel['inQueue']> = { enteredAt: Date.now(), timeoutMs: timeoutS * 1000, timer: null };
    ch.inQueue = entry;
    entry.timer = this.deps.time.after(ch, entry.timeoutMs, () => this.queueTimeout(ch));
    this.queueWaiting.push(ch);
    this.dispatchQueue();
  }

  /** Free operators ring for the longest-waiting callers whose wait lasts past the ring. */
  private dispatchQueue(): void {
    for (let i = 0; i < this.queueWaiting.length;) {
      const member = this.operators.find((o) => !o.busy);
      if (!member) return;
      const ch = this.queueWaiting[i]!;
      const entry = ch.inQueue!;
      // Compared unscaled, so timeScale 0 keeps the same outcome.
      const waitedMs = this.deps.time.simulatedSince(entry.enteredAt);
      if (waitedMs + OPERATOR_ANSWER_MS >= entry.timeoutMs) { i++; continue; } // the queue gives up first
      this.queueWaiting.splice(i, 1);
      member.busy = true;
      ch.operator = member;
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      this.deps.time.after(ch, OPERATOR_ANSWER_MS, () => this.operatorAnswers(ch));
    }
  }

  /** The queue bridges the subscriber with the operator: Dial ANSWER, caller = the subscriber. */
  private operatorAnswers(ch: SimChannel): void {
    const op = ch.operator;
    if (!op || ch.ended) return;
    ch.inQueue = null;
    this.deps.counters.operatorCalls++;
    const now = Date.now();
    const n = op.member;
    const peer: AriChannel = {
      id: this.deps.ids.nextId(now),
      name: `Local/${n}@sim-operators-${this.deps.ids.nextNameSuffix()};1`,
      state: 'Up', protocol_id: '',
      caller: { name: '', number: String(n) }, connected: { ...ch.snap.caller },
      accountcode: '',
      dialplan: { context: 'sim-operators', exten: String(n), priority: 1, app_name: 'AppQueue', app_data: '(Outgoing Line)' },
      creationtime: ariTime(now - Math.round(this.deps.time.real(OPERATOR_ANSWER_MS))), language: ch.snap.language,
    };
    this.deps.hub.emit(ch.app, 'Dial', { caller: ch.snap, peer, dialstatus: 'ANSWER', dialstring: `${n}@sim-operators` });
  }

  private queueTimeout(ch: SimChannel): void {
    if (ch.ended || !ch.inQueue) return;
    this.leaveQueue(ch);
    ch.vars.set('QUEUESTATUS', 'TIMEOUT');
    this.backToStasis(ch, ['queue', 'TIMEOUT']);
  }
}
