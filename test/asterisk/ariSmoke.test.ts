/**
 * Smoke test of AriClient against a real Asterisk 22 running the sandbox dialplan
 * (asterisk/sandbox/, number rules in asterisk/README.md). Start it with
 *
 *   eval "$(scripts/asterisk.sh start | sed 's/^/export /')"
 *   npx jest test/asterisk/ariSmoke.test.ts
 *
 * Skipped when ASTERISK_ARI_URL is unset. Calls go to fresh random numbers, so the AstDB
 * counter of the "..5" rule and the recording file names never collide between runs.
 *
 * It records every event of each call and asserts what Asterisk 22.10 actually sends for
 * Local/<n>@sim-carrier/n (the ;1 half is the originated channel, the ;2 half plays the
 * subscriber); the sequences are printed at the end. The recording check reads the sandbox's
 * spool folder from the host: ASTERISK_RECORDINGS_DIR, or the root scripts/asterisk.sh makes
 * ($DIALER_CACHE/asterisk/root/var/spool/asterisk/sandbox); without it that one test is skipped.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { AriClient } from '../../adapters/ari/ariClient';
import type { AriChannel, AriEvent } from '../../adapters/ari/ariTypes';
import { RECORDINGS_DIR, voicedSeconds, waitForWav } from './wavRecording';

const ARI_URL = process.env.ASTERISK_ARI_URL;
const ARI_USER = process.env.ARI_USERNAME ?? 'dialer';
const ARI_PASS = process.env.ARI_PASSWORD ?? '';


const suite = ARI_URL ? describe : describe.skip;
const suiteName = ARI_URL
  ? `real Asterisk ARI at ${ARI_URL} (sandbox dialplan)`
  : 'real Asterisk ARI — SKIPPED: ASTERISK_ARI_URL is not set (scripts/asterisk.sh start prints it)';
// A skipped file prints nothing at all; a todo line shows in the summary why these did not run.
if (!ARI_URL) test.todo('real-Asterisk ARI smoke: export the lines `scripts/asterisk.sh start` prints, then rerun');

/** One originated call: events of its ;1 half (ours) and of its ;2 half (the subscriber). */
interface Call {
  id: string;
  number: string;
  leg1: AriEvent[];
  leg2: AriEvent[];
  /** Resolves once both halves were destroyed. */
  destroyed: Promise<void>;
  waiters: Array<{ pred: (e: AriEvent) => boolean; resolve: (e: AriEvent) => void }>;
}

const RUN = randomBytes(3).toString('hex'); // fixed width: ids must not prefix one another
const APP = `dialer-test-${RUN}`;
let seq = 0;

/**
 * A fresh number: 7999 + 5 random digits + 0 + the behaviour suffix. The 0 matters: a random
 * 9 there would turn suffix 6/7/8 into ..96/..97/..98, another behaviour.
 */
function freshNumber(suffix: string): string {
  const body = String(randomInt(0, 100_000)).padStart(5, '0');
  return `7999${body}0${suffix}`;
}

function describeEvent(e: AriEvent): string {
  const x = e as AriEvent & Record<string, any>;
  switch (e.type) {
    case 'Dial': return `Dial(${x.dialstatus})`;
    case 'ChannelStateChange': return `ChannelStateChange(${x.channel.state})`;
    case 'ChannelHangupRequest': return `ChannelHangupRequest(cause=${x.cause}${x.soft ? ',soft' : ''})`;
    case 'ChannelDestroyed': return `ChannelDestroyed(${x.cause} ${x.cause_txt})`;
    case 'StasisStart': return `StasisStart[${(x.args as string[]).join(',')}]`;
    case 'ChannelDtmfReceived': return `ChannelDtmfReceived(${x.digit})`;
    case 'ChannelDialplan': return `ChannelDialplan(${x.channel.dialplan.context}/${x.channel.dialplan.app_name})`;
    case 'PlaybackStarted':
    case 'PlaybackFinished': return `${e.type}(${x.playback.state})`;
    default: return e.type;
  }
}

/** The ;1 sequence without the noise (ChannelVarset). */
function seqOf(events: AriEvent[]): string[] {
  return events.filter((e) => e.type !== 'ChannelVarset').map(describeEvent);
}

function dialStatuses(c: Call): string[] {
  return c.leg1.filter((e) => e.type === 'Dial').map((e) => String((e as any).dialstatus));
}

function destroyedCause(events: AriEvent[]): number | undefined {
  const d = events.find((e) => e.type === 'ChannelDestroyed') as { cause: number } | undefined;
  return d?.cause;
}

suite(suiteName, () => {
  let client: AriClient;
  const calls = new Map<string, Call>();
  const byLeg2 = new Map<string, Call>();
  const report: string[] = [];

  async function ari(method: string, p: string): Promise<Response> {
    return fetch(`${ARI_URL!.replace(/\/+$/, '')}/ari${p}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${ARI_USER}:${ARI_PASS}`).toString('base64')}` },
      signal: AbortSignal.timeout(5000),
    });
  }

  /** POST /channels/{id}/continue — AriClient has no method for it. */
  async function continueTo(id: string, context: string): Promise<void> {
    const r = await ari('POST', `/channels/${encodeURIComponent(id)}/continue?context=${context}&extension=s&priority=1`);
    expect(r.status).toBe(204);
  }

  function route(e: AriEvent): void {
    const x = e as AriEvent & { channel?: AriChannel; peer?: AriChannel; caller?: AriChannel; playback?: { target_uri?: string } };
    const ids = new Set<string>();
    if (x.channel) ids.add(x.channel.id);
    if (x.peer) ids.add(x.peer.id);
    if (x.caller) ids.add(x.caller.id); // Queue's Dial events name the queued channel `caller`
    if (x.playback?.target_uri?.startsWith('channel:')) ids.add(x.playback.target_uri.slice(8));
    for (const id of ids) {
      const c1 = calls.get(id);
      if (c1) {
        c1.leg1.push(e);
        for (const w of [...c1.waiters]) {
          if (w.pred(e)) { c1.waiters.splice(c1.waiters.indexOf(w), 1); w.resolve(e); }
        }
      }
      const c2 = byLeg2.get(id);
      if (c2) c2.leg2.push(e);
    }
  }

  function waitFor(c: Call, pred: (e: AriEvent) => boolean, ms: number, what: string): Promise<AriEvent> {
    const seen = c.leg1.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(
        `${c.number}: no ${what} within ${ms} ms; ;1 saw: ${seqOf(c.leg1).join(' ')}`)), ms);
      c.waiters.push({ pred, resolve: (e) => { clearTimeout(t); resolve(e); } });
    });
  }

  function originate(suffix: string, timeoutSec = 30, variables: Record<string, string> = {}): Promise<Call> {
    return originateTo(freshNumber(suffix), timeoutSec, variables);
  }

  async function originateTo(number: string, timeoutSec = 30, variables: Record<string, string> = {}): Promise<Call> {
    const id = `smoke-${RUN}-${String(++seq).padStart(3, '0')}`;
    const call: Call = { id, number, leg1: [], leg2: [], waiters: [], destroyed: Promise.resolve() };
    calls.set(id, call);
    byLeg2.set(`${id};2`, call); // Asterisk names the ;2 half "<channelId>;2"
    let destroyedCount = 0;
    call.destroyed = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${number}: not destroyed within 20 s; ;1 saw: ${seqOf(call.leg1).join(' ')}; ;2 saw: ${seqOf(call.leg2).join(' ')}`)), 20_000);
      const check = (e: AriEvent): void => {
        if (e.type === 'ChannelDestroyed' && ++destroyedCount === 2) { clearTimeout(t); resolve(); }
      };
      client.onChannel(id, check);
      client.onChannel(`${id};2`, check);
    });
    const ch = await client.originate({
      endpoint: `Local/${number}@sim-carrier/n`,
      channelId: id,
      timeoutSec,
      variables: { DIALER_APP: APP, ...variables },
    });
    expect(ch.id).toBe(id);
    expect(ch.state).toBe('Down');
    return call;
  }

  function note(label: string, c: Call): void {
    report.push(`${label} (${c.number}):\n    ;1 ${seqOf(c.leg1).join(' → ')}\n    ;2 destroyed cause ${destroyedCause(c.leg2)}`);
  }

  beforeAll(async () => {
    client = await AriClient.connect({ url: ARI_URL!, username: ARI_USER, password: ARI_PASS, app: APP });
    client.onEvent(route);
    const info = (await client.asteriskInfo()) as { system?: { version?: string } };
    if (!info?.system?.version) {
      throw new Error(`ASTERISK_ARI_URL=${ARI_URL} answered /asterisk/info without system.version: not a real Asterisk`);
    }
    report.push(`Asterisk ${info.system.version}, app ${APP}`);
  });

  afterAll(async () => {
    // Channels left running (machines, humans, operators wait minutes) are hung up.
    for (const c of calls.values()) {
      await ari('DELETE', `/channels/${encodeURIComponent(c.id)}`).catch(() => undefined);
    }
    await client?.close();
     
    console.log(`Observed ARI event sequences\n  ${report.join('\n  ')}`);
  });

  it('rejected and unanswered calls: busy, no answer, unallocated, congestion', async () => {
    const [busy, noAnswer, unallocated, congestion] = await Promise.all([
      originate('6'), originate('7', 5), originate('9'), originate('98'),
    ]);
    const t0 = Date.now();
    await Promise.all([busy, noAnswer, unallocated, congestion].map((c) => c.destroyed));
    for (const [label, c] of [['busy ..6', busy], ['no answer ..7 (timeout 5 s)', noAnswer],
      ['unallocated ..9', unallocated], ['congestion ..98', congestion]] as const) note(label, c);

    // None of them reaches the app.
    for (const c of [busy, noAnswer, unallocated, congestion]) {
      expect(c.leg1.some((e) => e.type === 'StasisStart')).toBe(false);
      expect(c.leg1[c.leg1.length - 1].type).toBe('ChannelDestroyed');
    }
    // Busy: Dial BUSY; the ;1 cause is 0, the 17 is on the ;2 half only.
    expect(dialStatuses(busy)).toEqual(['', 'BUSY']);
    expect(destroyedCause(busy.leg1)).toBe(0);
    expect(destroyedCause(busy.leg2)).toBe(17);
    // Congestion: Dial CONGESTION; ;1 cause 0, ;2 cause 34.
    expect(dialStatuses(congestion)).toEqual(['', 'CONGESTION']);
    expect(destroyedCause(congestion.leg1)).toBe(0);
    expect(destroyedCause(congestion.leg2)).toBe(34);
    // Unallocated: Dial says NOANSWER (!), the cause 1 is on both halves.
    expect(dialStatuses(unallocated)).toEqual(['', 'NOANSWER']);
    expect(destroyedCause(unallocated.leg1)).toBe(1);
    expect(destroyedCause(unallocated.leg2)).toBe(1);
    expect(unallocated.leg1.some((e) => e.type === 'ChannelHangupRequest' && (e as any).cause === 1)).toBe(true);
    // No answer: RINGING, then the originate timeout: no final Dial event, cause 19 on both.
    expect(dialStatuses(noAnswer)).toEqual(['', 'RINGING']);
    expect(noAnswer.leg1.some((e) => e.type === 'ChannelStateChange' && (e as any).channel.state === 'Ringing')).toBe(true);
    expect(destroyedCause(noAnswer.leg1)).toBe(19);
    expect(destroyedCause(noAnswer.leg2)).toBe(19);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4500);
  }, 30_000);

  it('answered call: play sound:hello-world, hang up; the subscriber heard ~1.2 s of speech', async () => {
    const c = await originate('1');
    const start = (await waitFor(c, (e) => e.type === 'StasisStart', 10_000, 'StasisStart')) as AriEvent & { args: string[] };
    expect(start.args).toEqual([]);
    expect((start as any).channel.state).toBe('Up');
    expect(dialStatuses(c)).toEqual(['', 'RINGING', 'ANSWER']);

    const pb = await client.play(c.id, ['sound:hello-world']);
    const fin = await waitFor(c, (e) => e.type === 'PlaybackFinished' && (e as any).playback.id === pb.id, 10_000, 'PlaybackFinished');
    expect((fin as any).playback.state).toBe('done');
    expect(await client.hangup(c.id)).toBe(true);
    await c.destroyed;
    note('answered ..1, play, DELETE', c);

    const s = seqOf(c.leg1);
    const tail = s.slice(s.indexOf('StasisStart[]'));
    expect(tail).toEqual([
      'StasisStart[]', 'PlaybackStarted(playing)', 'PlaybackFinished(done)',
      'ChannelHangupRequest(cause=32,soft)', 'StasisEnd', 'ChannelDestroyed(16 Normal Clearing)',
    ]);
    expect(destroyedCause(c.leg2)).toBe(16);
  }, 30_000);

  (existsSync(RECORDINGS_DIR) ? it : it.skip)(`the recording in ${RECORDINGS_DIR} holds the played prompt`, async () => {
    const c = await originate('2');
    await waitFor(c, (e) => e.type === 'StasisStart', 10_000, 'StasisStart');
    const pb = await client.play(c.id, ['sound:hello-world']);
    await waitFor(c, (e) => e.type === 'PlaybackFinished' && (e as any).playback.id === pb.id, 10_000, 'PlaybackFinished');
    await client.hangup(c.id);
    await c.destroyed;

    // <digits>-<UNIQUEID of ;2 with ';' as '_'>.wav; MixMonitor closes it just after the hangup.
    const file = path.join(RECORDINGS_DIR, `${c.number}-${c.id}_2.wav`);
    const wav = await waitForWav(file, 5000);
    expect(wav.sampleRate).toBe(8000);
    expect(wav.channels).toBe(1);
    expect(wav.bits).toBe(16);
    const voiced = voicedSeconds(wav.samples, wav.sampleRate);
    report.push(`recording ${path.basename(file)}: ${wav.seconds.toFixed(2)} s long, ${voiced.toFixed(2)} s above silence (hello-world.gsm is 1.42 s)`);
    expect(voiced).toBeGreaterThan(1.0);
    expect(voiced).toBeLessThan(1.6);
    expect(wav.seconds).toBeGreaterThanOrEqual(voiced);
  }, 30_000);

  it('DTMF, early hangup, busy-then-answer', async () => {
    const [dtmf, early, twice] = await Promise.all([originate('4'), originate('8'), originate('5')]);
    // ..4 presses 1 about 1.5 s after answering.
    const s4 = await waitFor(dtmf, (e) => e.type === 'StasisStart', 10_000, 'StasisStart');
    const d = await waitFor(dtmf, (e) => e.type === 'ChannelDtmfReceived', 5000, 'ChannelDtmfReceived');
    expect((d as any).digit).toBe('1');
    const dtmfAfter = Date.parse((d as any).timestamp.replace(/(\d\d)(\d\d)$/, '$1:$2')) - Date.parse((s4 as any).timestamp.replace(/(\d\d)(\d\d)$/, '$1:$2'));
    expect(dtmfAfter).toBeGreaterThan(1000);
    expect(dtmfAfter).toBeLessThan(3000);
    await client.hangup(dtmf.id);
    // ..8 answers and hangs up by itself: cause 16 on our half, after StasisEnd.
    await early.destroyed;
    // ..5 is busy the first time...
    await twice.destroyed;
    await dtmf.destroyed;
    note('DTMF ..4', dtmf);
    note('answers, hangs up ..8', early);
    note('..5 first call', twice);
    // The callee's cause is in the (not soft) ChannelHangupRequest of ;1 and on ;2's
    // ChannelDestroyed; ;1's own ChannelDestroyed says 16 or 0, by a race (3 of 8 tries: 0).
    expect(seqOf(early.leg1).slice(-4, -1)).toEqual(['StasisStart[]', 'ChannelHangupRequest(cause=16)', 'StasisEnd']);
    expect(early.leg1[early.leg1.length - 1].type).toBe('ChannelDestroyed');
    expect([0, 16]).toContain(destroyedCause(early.leg1));
    expect(destroyedCause(early.leg2)).toBe(16);
    expect(dialStatuses(twice)).toEqual(['', 'BUSY']);
    expect(destroyedCause(twice.leg2)).toBe(17);

    // ...and answers the second time.
    const second = await originateTo(twice.number);
    await waitFor(second, (e) => e.type === 'StasisStart', 10_000, 'StasisStart on the second call');
    await client.hangup(second.id);
    await second.destroyed;
    note('..5 second call', second);
    expect(dialStatuses(second)).toEqual(['', 'RINGING', 'ANSWER']);
  }, 40_000);

  it('AMD via the dialer-amd context: a machine (..97) and a human (..1)', async () => {
    const [machine, human] = await Promise.all([originate('97'), originate('1')]);
    await Promise.all([machine, human].map(async (c) => {
      await waitFor(c, (e) => e.type === 'StasisStart', 10_000, 'StasisStart');
      await continueTo(c.id, 'dialer-amd');
    }));
    const isAmd = (e: AriEvent): boolean => e.type === 'StasisStart' && (e as any).args[0] === 'amd';
    const [m, h] = await Promise.all([
      waitFor(machine, isAmd, 10_000, 'StasisStart[amd,...]'),
      waitFor(human, isAmd, 10_000, 'StasisStart[amd,...]'),
    ]);
    expect((m as any).args.slice(0, 2)).toEqual(['amd', 'MACHINE']);
    expect((h as any).args.slice(0, 2)).toEqual(['amd', 'HUMAN']);
    await Promise.all([machine, human].map((c) => client.hangup(c.id)));
    await Promise.all([machine, human].map((c) => c.destroyed));
    note('AMD machine ..97', machine);
    note('AMD human ..1', human);
  }, 30_000);

  it('the operators queue (dialer-operators) connects a subscriber to a simulated operator', async () => {
    const c = await originate('3');
    await waitFor(c, (e) => e.type === 'StasisStart', 10_000, 'StasisStart');
    await continueTo(c.id, 'dialer-operators');
    const answered = await waitFor(c, (e) => e.type === 'Dial' && (e as any).dialstatus === 'ANSWER'
      && (e as any).caller?.id === c.id, 10_000, 'a queue member answering');
    expect((answered as any).peer.name).toMatch(/^Local\/[12]@sim-operators-/);
    await client.hangup(c.id);
    await c.destroyed;
    note('queue ..3', c);
  }, 30_000);
});
