import { createHash } from 'node:crypto';
import { AriHttpError, type AriClient } from './ariClient';
import type { CallHooks, CallRecordingFacts, CallReport, CallSpec, PlacedCall, Telephony } from './telephony';
import { createLogger } from '../../common/logger';

// Recording answered calls with Asterisk itself (docs/recording.md). When the call is answered
// (its first StasisStart) a snoop channel is put on it, spying both directions, and the snoop
// channel is recorded. A snoop's audiohook stays on the call wherever the call goes next, so
// one recording holds the message, answering-machine detection in the dialplan and a
// conversation with an operator in the queue's bridge alike; a bridge recording would miss the
// last two (those run outside our Stasis app). The snoop hangs up with the call, which ends the
// recording; Asterisk keeps the file in its recording folder, where ARI serves and deletes it.

const log = createLogger('recording');

/** The longest call we record: the operators' longest conversation, and more. */
const MAX_RECORDING_SECONDS = 2 * 3600;
/** A snoop channel enters the app a moment after its creation; until then record answers 409. */
const SNOOP_READY_MS = 3_000;
/** How long a recording may take to close its file after the call's hangup. */
const FINISH_MS = 10_000;
const POLL_MS = 50;

/**
 * The stored name of an attempt's recording: derived from the attempt's natural key (its
 * contact workflow's id and the attempt's seq), hashed because a workflow id holds the ERP's
 * contact id, which may be personal. The same attempt always gets the same name.
 */
export function recordingName(workflowId: string, seq: number): string {
  const key = createHash('sha256').update(workflowId).digest('hex').slice(0, 32);
  return `call-${key}-${seq}`;
}

/**
 * The telephony that records: calls whose spec has `recordAs` are recorded once answered, and
 * their report carries the stored recording. Everything else is the inner telephony's.
 */
export class RecordingTelephony implements Telephony {
  readonly ensureTrunkUp?: (endpointTemplate?: string) => Promise<void>;

  constructor(private readonly client: AriClient, private readonly inner: Telephony) {
    if (inner.ensureTrunkUp) this.ensureTrunkUp = (t) => inner.ensureTrunkUp!(t);
  }

  async originate(spec: CallSpec, hooks: CallHooks): Promise<PlacedCall> {
    if (!spec.recordAs) return this.inner.originate(spec, hooks);
    // Listening before the originate: the answer may come before its HTTP response.
    const recorder = new CallRecorder(this.client, spec.channelId, spec.recordAs);
    let placed: PlacedCall;
    try {
      placed = await this.inner.originate(spec, hooks);
    } catch (err) {
      recorder.dispose();
      throw err;
    }
    return {
      follow: async (): Promise<CallReport> => {
        try {
          const report = await placed.follow();
          const recording = await recorder.finish();
          if (recording) return { ...report, recording };
          // Its answer went unseen (a lost StasisStart) or it ended before the snoop was on it.
          if (report.answeredAt) log.warn({ recording: spec.recordAs, channelId: spec.channelId }, 'an answered call of a recording campaign was not recorded');
          return report;
        } finally {
          recorder.dispose();
        }
      },
    };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** One call's recording: started at its answer, measured after its hangup. */
class CallRecorder {
  private started: Promise<Date | null> | null = null;
  private readonly unsubscribe: () => void;
  private readonly snoopId: string;

  constructor(private readonly client: AriClient, private readonly channelId: string, private readonly name: string) {
    this.snoopId = `${channelId}-rec`;
    this.unsubscribe = client.onChannel(channelId, (event) => {
      // The first StasisStart is the answer; later ones are the call coming back from the dialplan.
      if (event.type === 'StasisStart' && !this.started) {
        // Settled here, not left to finish(): a failure before the hangup must not go unheard.
        this.started = this.start().catch((err: unknown) => {
          log.error({ recording: this.name, channelId: this.channelId, err: (err as Error).message }, 'the call\'s recording could not start');
          return null;
        });
      }
    });
  }

  /**
   * Snoop and record; null when the call was over before the recording could begin. What the
   * call says before the record request is accepted (a few ms on an idle box) is not in it.
   */
  private async start(): Promise<Date | null> {
    // The snoop channel enters the app a moment after the snoop request returns; record answers
    // 409 until then. Its StasisStart says when; a lost one is covered by asking again.
    let ready!: () => void;
    const entered = new Promise<void>((resolve) => { ready = resolve; });
    const off = this.client.onChannel(this.snoopId, (e) => { if (e.type === 'StasisStart') ready(); });
    try {
      const snoop = await this.client.snoop(this.channelId, { snoopId: this.snoopId, spy: 'both' });
      if (!snoop) return null;
      const deadline = Date.now() + SNOOP_READY_MS;
      await Promise.race([entered, sleep(POLL_MS * 4)]);
      for (;;) {
        try {
          const recording = await this.client.record(this.snoopId, { name: this.name, format: 'wav', maxDurationSeconds: MAX_RECORDING_SECONDS });
          return recording ? new Date() : null;
        } catch (err) {
          if (!(err instanceof AriHttpError && err.status === 409) || Date.now() >= deadline) {
            await this.client.hangup(this.snoopId).catch(() => false);
            throw err;
          }
        }
        await sleep(POLL_MS / 2);
      }
    } finally {
      off();
    }
  }

  /**
   * After the call's hangup: waits for the recording to close its file and measures it. A
   * recording that failed is said (ids only) and the call goes on without it: the call
   * happened, and its attempt must be recorded all the same.
   */
  async finish(): Promise<CallRecordingFacts | undefined> {
    if (!this.started) return undefined;
    try {
      const startedAt = await this.started;
      if (!startedAt) return undefined;
      await this.untilFinished();
      const endedAt = new Date();
      const measured = await this.measure();
      if (!measured) {
        log.error({ recording: this.name, channelId: this.channelId }, 'the call was recorded but Asterisk has no stored recording of it');
        return undefined;
      }
      return { name: this.name, format: 'wav', startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString(), ...measured };
    } catch (err) {
      log.error({ recording: this.name, channelId: this.channelId, err: (err as Error).message }, 'the call\'s recording failed');
      return undefined;
    }
  }

  /** The snoop goes with the call, and the recording with the snoop; a straggler is stopped. */
  private async untilFinished(): Promise<void> {
    const deadline = Date.now() + FINISH_MS;
    for (;;) {
      const live = await this.client.liveRecording(this.name);
      if (!live || live.state === 'done' || live.state === 'failed' || live.state === 'canceled') return;
      if (Date.now() >= deadline) {
        await this.client.stopRecording(this.name);
        await this.client.hangup(this.snoopId).catch(() => false);
        return;
      }
      await sleep(POLL_MS);
    }
  }

  /** The stored file's size, and its audio's length from its WAV header's byte rate. */
  private async measure(): Promise<{ durationMs: number; bytes: number } | null> {
    const res = await this.client.storedRecordingFile(this.name, AbortSignal.timeout(60_000));
    if (!res?.body) return null;
    let bytes = 0;
    let head = Buffer.alloc(0);
    for await (const chunk of res.body) {
      const part = Buffer.from(chunk as Uint8Array);
      bytes += part.length;
      if (head.length < 512) head = Buffer.concat([head, part.subarray(0, 512 - head.length)]);
    }
    const wav = wavLayout(head);
    const durationMs = wav ? Math.round(((bytes - wav.dataOffset) / wav.byteRate) * 1000) : 0;
    return { durationMs: Math.max(0, durationMs), bytes };
  }

  dispose(): void {
    this.unsubscribe();
  }
}

/** Where a WAV file's samples begin, and how many bytes a second of them takes. */
export function wavLayout(head: Buffer): { dataOffset: number; byteRate: number } | null {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
  let byteRate = 0;
  for (let off = 12; off + 8 <= head.length;) {
    const id = head.toString('ascii', off, off + 4);
    const size = head.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 20 <= head.length) byteRate = head.readUInt32LE(off + 16);
    if (id === 'data') return byteRate > 0 ? { dataOffset: off + 8, byteRate } : null;
    off += 8 + size + (size % 2);
  }
  return null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
