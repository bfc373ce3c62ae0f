import { AriHttpError, type AriClient } from './ariClient';
import { ChannelEventLog } from './channelEventLog';
import { amdVerdict, listenedEnough } from './answeredCall';
import { causeOfAnsweredCall, outcomeForUnansweredCall, verdictForUnansweredCall } from './hangupCauses';
import type { CallHooks, CallReport, CallSpec, PlacedCall, Telephony } from './telephony';
import { TrunkHealth } from './trunkHealth';
import { createLogger } from '../../common/logger';

export interface AriTelephonyOptions {
  /** ARI endpoint with `{number}` for the digits of the E.164 number, e.g. `PJSIP/{number}@carrier`. */
  endpointTemplate: string;
  /** How long to wait for a key press after the message ended. */
  dtmfWaitMs: number;
  /** The longest message we expect to play; a playback that outlives it is cut. */
  maxMessageMs: number;
  /** The channel's language, which picks the folder of Asterisk's prompts (sound:digits/1 → ru/digits/1). */
  language: string;
  /** What this telephony knows of its trunks' health; by default one of its own on the same client. */
  trunkHealth?: TrunkHealth;
}

const trunkLog = createLogger('trunk');

/** ARI's answer to an originate whose channel the trunk could not give (e.g. an unreachable PJSIP endpoint). */
function isAllocationFailure(err: unknown): boolean {
  return err instanceof AriHttpError && err.status === 500 && /allocation failed/i.test(err.ariMessage ?? '');
}

// Events can be lost (about 2 % of ChannelDestroyed at 50 concurrent originates against a
// real Asterisk 22, docs/architecture.md): every wait has a deadline, and when it passes the channel's
// real state is read with GET /channels/{id} before anything is decided.
const ANSWER_GRACE_MS = 15_000;
const HANGUP_CONFIRM_MS = 5_000;
/** How long a hung-up channel may stay in Asterisk's list before the slot is given back anyway. */
const LISTED_GONE_MS = 3_000;
const HEARTBEAT_MS = 2_000;
/** How often a waiting call asks Asterisk whether its channel still exists. */
const RECONCILE_MS = 5_000;
/** AMD() decides within 5 s (amd.conf's total analysis time); the rest is margin. */
const AMD_DEADLINE_MS = 15_000;
/** The longest wait in the queue plus a conversation with an operator that we follow. */
const OPERATOR_CONVERSATION_MAX_MS = 90 * 60_000;
/** "Извините, все линии заняты, пожалуйста, перезвоните позже" from Asterisk's Russian prompts. */
const NO_OPERATOR_MEDIA = ['sound:im-sorry', 'sound:all-circuits-busy-now', 'sound:pls-try-call-later'];

export class AriTelephony implements Telephony {
  private readonly trunks: TrunkHealth;

  constructor(private readonly client: AriClient, private readonly options: AriTelephonyOptions) {
    // Said once per change of a trunk's state, whatever the number of contacts it stops.
    this.trunks = options.trunkHealth ?? new TrunkHealth(client, {
      onChange: (c) => (c.up ? trunkLog.info({ trunk: c.trunk }, 'trunk up: calls go out on it again')
        : trunkLog.warn({ trunk: c.trunk, reason: c.reason }, 'trunk down: no call goes out on it, and nobody is charged for it')),
    });
  }

  async ensureTrunkUp(endpointTemplate?: string): Promise<void> {
    await this.trunks.ensureUp(endpointTemplate ?? this.options.endpointTemplate);
  }

  async originate(spec: CallSpec, hooks: CallHooks): Promise<PlacedCall> {
    const template = spec.endpointTemplate ?? this.options.endpointTemplate;
    await this.trunks.ensureUp(template);
    // Listening before the request: Asterisk may send StasisStart before its HTTP answer.
    const log = new ChannelEventLog(this.client, spec.channelId);
    const startedAt = new Date();
    try {
      await this.client.originate({
        endpoint: template.replace('{number}', spec.e164.replace(/^\+/, '')),
        channelId: spec.channelId,
        callerId: spec.callerId,
        timeoutSec: spec.ringTimeoutSeconds,
        variables: {
          // Dialplan that hands the channel back to Stasis (AMD, the operators' queue) needs the
          // application of this worker; the prompts are Russian.
          DIALER_APP: this.client.app,
          'CHANNEL(language)': this.options.language,
        },
      });
    } catch (err) {
      // A request that timed out may still have created the channel: never leave it up.
      await this.client.hangup(spec.channelId).catch(() => false);
      log.dispose();
      // The trunk could not give a channel (a dead carrier): not an attempt on this number.
      if (isAllocationFailure(err)) throw this.trunks.allocationFailed(template);
      throw err;
    }
    return { follow: () => this.follow(log, spec, hooks, startedAt) };
  }

  /** From the accepted originate to the hangup: the outcome, the message, the keys pressed. */
  private async follow(log: ChannelEventLog, spec: CallSpec, hooks: CallHooks, startedAt: Date): Promise<CallReport> {
    let lastLook = Date.now();
    const wait = {
      tick: () => {
        hooks.heartbeat('call');
        // Reconcile with the channel's real state now and then: a lost ChannelDestroyed must
        // not keep a call open until its deadline.
        if (Date.now() - lastLook < RECONCILE_MS || log.destroyed || log.gone) return;
        lastLook = Date.now();
        void this.client.getChannel(spec.channelId).then((ch) => { if (!ch && !log.destroyed) log.markGone(); }, () => undefined);
      },
      tickMs: HEARTBEAT_MS,
      signal: hooks.signal,
    };
    const report = (r: Omit<CallReport, 'channelId' | 'startedAt' | 'endedAt'>): CallReport => ({
      ...r, channelId: spec.channelId, startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(),
    });
    const template = spec.endpointTemplate ?? this.options.endpointTemplate;
    try {
      const first = await log.next(['StasisStart', 'ChannelDestroyed'], spec.ringTimeoutSeconds * 1000 + ANSWER_GRACE_MS, wait);
      if (first?.type === 'ChannelDestroyed') {
        // A PJSIP channel carries the carrier's SIP response as tech_cause (Asterisk 22).
        const sipCode = first.tech_cause ?? null;
        const verdict = verdictForUnansweredCall({
          sipCode, destroyedCause: first.cause, hangupRequestCause: log.hangupRequestCause, dialStatus: log.dialStatus,
        });
        // The carrier refused us (403): no subscriber was asked, so this is no attempt.
        if (verdict.kind === 'trunk_refused') throw this.trunks.refused(template, verdict.sipCode);
        this.trunks.carried(template);
        return report({
          outcome: verdict.outcome,
          // Cause 0 on the originated half of a Local channel: the far end's request says more.
          hangupCause: !first.cause && log.hangupRequestCause ? log.hangupRequestCause : first.cause, dtmf: null, listenedMs: null, answeredAt: null,
          ...(sipCode !== null ? { sipCode } : {}),
        });
      }
      if (!first && !(await this.isUp(spec.channelId))) {
        // Neither answer nor hangup arrived in time: whatever the channel is doing, the call
        // is over for us. A channel we had to hang up rang too long (no answer); one that
        // vanished without a word ended for a reason we cannot know (failed).
        const vanished = log.gone;
        await this.hangupAndConfirm(log, spec.channelId);
        const cause = log.destroyed?.cause ?? null;
        const known = cause !== null || log.hangupRequestCause !== null || log.dialStatus !== null;
        return report({
          outcome: known ? outcomeForUnansweredCall(cause, log.hangupRequestCause, log.dialStatus) : vanished ? 'failed' : 'no_answer',
          hangupCause: cause, dtmf: null, listenedMs: null, answeredAt: null,
        });
      }

      const answeredAt = new Date();
      this.trunks.carried(template);
      const { handling } = spec;
      const answered = (outcome: CallReport['outcome']): CallReport => report({
        outcome,
        // A subscriber's BYE on a real trunk comes as cause 0 (its hangup request names none),
        // through a Local channel as 16; the report may be made before ChannelDestroyed arrives.
        hangupCause: causeOfAnsweredCall(log.destroyed?.cause ?? log.hangupRequestCause ?? (log.hangupRequested ? 0 : null)),
        dtmf: log.digits.length > 0 ? log.digits.join('') : null,
        listenedMs: Date.now() - answeredAt.getTime(),
        answeredAt: answeredAt.toISOString(),
      });

      if (handling.detectMachines) {
        const verdict = await this.detectMachine(log, spec.channelId, wait);
        if (verdict === 'gone') return answered('answered_short');
        if (verdict === 'machine') {
          if (handling.machineAction === 'leave_message') await this.playMessage(log, spec, wait);
          await this.hangupAndConfirm(log, spec.channelId);
          return answered('machine');
        }
      }

      const heardToTheEnd = await this.playMessage(log, spec, wait);
      const listened = listenedEnough(heardToTheEnd, Date.now() - answeredAt.getTime(), handling.minListenSeconds);
      if (heardToTheEnd && log.digits.length === 0 && !log.stasisEnded) {
        await log.next(['ChannelDtmfReceived', 'StasisEnd'], this.options.dtmfWaitMs, wait);
      }
      if (handling.operatorKey && log.digits.includes(handling.operatorKey) && !log.stasisEnded && !log.destroyed) {
        await this.putThroughToOperator(log, spec, wait);
        await this.hangupAndConfirm(log, spec.channelId);
        return answered(log.operatorAnswered ? 'operator' : listened ? 'answered' : 'answered_short');
      }
      await this.hangupAndConfirm(log, spec.channelId);
      return answered(listened ? 'answered' : 'answered_short');
    } catch (err) {
      // Never leave a channel up behind a failure of ours.
      await this.client.hangup(spec.channelId).catch(() => false);
      throw err;
    } finally {
      log.dispose();
      // The caller gives the call's channel slot back when this returns: Asterisk's own list must
      // no longer hold the channel by then (its ChannelDestroyed event can come a moment before
      // the channel leaves that list), or a limit could be exceeded by a channel in teardown.
      await this.untilListedGone(spec.channelId);
    }
  }

  /** Waits (briefly, bounded) until GET /channels/{id} no longer finds the channel. */
  private async untilListedGone(channelId: string): Promise<void> {
    const deadline = Date.now() + LISTED_GONE_MS;
    for (let attempt = 0; ; attempt++) {
      const channel = await this.client.getChannel(channelId).catch(() => null);
      if (!channel) return;
      if (Date.now() >= deadline) {
        await this.client.hangup(channelId, 'normal').catch(() => false);
        return;
      }
      if (attempt > 0 && attempt % 20 === 0) await this.client.hangup(channelId, 'normal').catch(() => false);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Plays the message; true when it played to the end with the subscriber still there. */
  private async playMessage(
    log: ChannelEventLog, spec: CallSpec, wait: { tick: () => void; tickMs: number; signal?: AbortSignal },
  ): Promise<boolean> {
    if (log.stasisEnded) return false;
    if (spec.media.length === 0) return true; // a campaign without a message: reaching them is the goal
    const playbackId = `${spec.channelId}-msg`;
    try {
      await this.client.play(spec.channelId, spec.media, playbackId);
    } catch (err) {
      // The subscriber hung up between the answer and the play request.
      if (log.stasisEnded || !(await this.isUp(spec.channelId))) return false;
      throw err;
    }
    const end = await log.next(['PlaybackFinished', 'StasisEnd'], this.options.maxMessageMs, {
      ...wait, accept: (e) => e.type !== 'PlaybackFinished' || e.playback.id === playbackId,
    });
    // Asterisk sends PlaybackFinished (state 'done') also when the subscriber hangs up
    // mid-message, after ChannelHangupRequest and before StasisEnd: only a playback that
    // finished with nobody hanging up was heard to the end.
    if (end?.type !== 'PlaybackFinished') return false;
    return !log.hangupRequested && !log.stasisEnded && !log.destroyed;
  }

  /**
   * ARI has no answering-machine detection of its own: the channel goes to the dialplan's
   * dialer-amd context, where AMD() listens, and comes back with StasisStart
   * ["amd", AMDSTATUS, AMDCAUSE] (asterisk/production/extensions.conf).
   */
  private async detectMachine(
    log: ChannelEventLog, channelId: string, wait: { tick: () => void; tickMs: number; signal?: AbortSignal },
  ): Promise<'human' | 'machine' | 'gone'> {
    if (!(await this.client.continueInDialplan(channelId, { context: 'dialer-amd', extension: 's' }))) return 'gone';
    const back = await log.next(['StasisStart', 'ChannelDestroyed'], AMD_DEADLINE_MS, {
      ...wait, accept: (e) => e.type !== 'StasisStart' || e.args[0] === 'amd',
    });
    if (!back || back.type === 'ChannelDestroyed') return 'gone';
    return amdVerdict(back.args[1]);
  }

  /**
   * The subscriber pressed the operator key: into the operators' queue for at most the
   * campaign's wait. An operator answering shows as a Dial ANSWER with this channel as the
   * caller; the conversation then lasts until one of them hangs up. If the queue gives up, the
   * channel comes back with StasisStart ["queue", QUEUESTATUS] and hears an apology.
   */
  private async putThroughToOperator(
    log: ChannelEventLog, spec: CallSpec, wait: { tick: () => void; tickMs: number; signal?: AbortSignal },
  ): Promise<void> {
    await this.client.setChannelVariable(spec.channelId, 'QUEUE_TIMEOUT', String(spec.handling.operatorWaitSeconds));
    if (!(await this.client.continueInDialplan(spec.channelId, { context: 'dialer-operators', extension: 's' }))) return;
    const back = await log.next(['StasisStart', 'ChannelDestroyed'], OPERATOR_CONVERSATION_MAX_MS, {
      ...wait, accept: (e) => e.type !== 'StasisStart' || e.args[0] === 'queue',
    });
    if (back?.type === 'StasisStart' && !log.operatorAnswered) {
      const sorry = `${spec.channelId}-sorry`;
      await this.client.play(spec.channelId, NO_OPERATOR_MEDIA, sorry).catch(() => undefined);
      await log.next(['PlaybackFinished', 'StasisEnd'], 30_000, { ...wait, accept: (e) => e.type !== 'PlaybackFinished' || e.playback.id === sorry });
    }
  }

  private async isUp(channelId: string): Promise<boolean> {
    const channel = await this.client.getChannel(channelId);
    return channel?.state === 'Up';
  }

  private async hangupAndConfirm(log: ChannelEventLog, channelId: string): Promise<void> {
    if (log.destroyed || log.gone) return;
    const existed = await this.client.hangup(channelId, 'normal');
    if (!existed) return;
    await log.next(['ChannelDestroyed'], HANGUP_CONFIRM_MS);
    if (!log.destroyed && (await this.client.getChannel(channelId))) {
      await this.client.hangup(channelId, 'normal');
    }
  }

  /** The ARI client belongs to whoever connected it (the worker), which closes it. */
  async close(): Promise<void> {}
}
