import { randomBytes, randomInt } from 'node:crypto';
import WebSocket from 'ws';
import { listConsents, withdrawConsent } from '../../adapters/postgres/contactConsents';
import { upsertContacts } from '../../adapters/postgres/contactUpserts';
import { addMassCallRefusals } from '../../adapters/postgres/massCallRefusals';
import { startCampaign } from '../../adapters/temporal/workflowStarters';
import { parseContactBatch } from '../../domain/contactInput';
import { campaignWorkflowId } from '../../domain/ids';
import type { GateCheck } from '../../domain/types';
import { createTestCampaign } from '../fixtures';
import { startWorld, type StackWorld } from '../stackWorker';

// Issue 19's "who may be called" on the real Asterisk: a debt collector's campaign calls the
// debtor and a third party whose consent holds, and never originates a third party without
// consent, a number on the refusal list, or a third party whose consent was withdrawn. What
// Asterisk did is read from Asterisk itself: a second ARI app subscribed to every event source
// (subscribeAll) for the whole run sees every channel any originate creates, so a number that
// appears in none of its events was never dialled. Contacts, consents and the refusal come
// through the product's own ERP upsert and API adapters. (The same on the ARI simulator:
// test/complianceStack.test.ts; the gate alone on Postgres: test/complianceGate.test.ts.)

const ARI_URL = process.env.ASTERISK_ARI_URL;
const suite = ARI_URL ? describe : describe.skip;
if (!ARI_URL) test.todo('who may be called, on the real Asterisk: set ASTERISK_ARI_URL (npm test starts Asterisk and sets it)');

jest.setTimeout(180_000);

/** A fresh, valid Russian mobile number ending in 0<last>: the sandbox's humans answer 0-3. */
const fresh = (last: string): string => `+7916${String(randomInt(0, 100_000)).padStart(5, '0')}0${last}`;

/** Every event Asterisk sends for as long as it is open, for every channel of every app. */
class AsteriskWatch {
  readonly events: { type: string; channel?: { id: string; name: string; dialplan?: { exten?: string } } }[] = [];
  readonly raw: string[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      this.raw.push(text);
      this.events.push(JSON.parse(text));
    });
  }

  static async open(url: string, user: string, password: string): Promise<AsteriskWatch> {
    const app = `compliance-watch-${randomBytes(4).toString('hex')}`;
    const key = encodeURIComponent(`${user}:${password}`);
    const ws = new WebSocket(`${url.replace(/^http/i, 'ws')}/ari/events?app=${app}&api_key=${key}&subscribeAll=true`);
    await new Promise<void>((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    return new AsteriskWatch(ws);
  }

  /**
   * The digits each originate dialled through the sandbox's carrier while watching, by channel id:
   * the ;1 half of each Local channel (the ;2 half plays the subscriber).
   */
  originated(): Map<string, string> {
    const dialled = new Map<string, string>();
    for (const e of this.events) {
      const m = e.type === 'ChannelCreated' ? /^Local\/(\d+)@sim-carrier-[0-9a-f]+;1$/.exec(e.channel?.name ?? '') : null;
      if (m) dialled.set(e.channel!.id, m[1]!);
    }
    return dialled;
  }

  /** Whether any event at all (a channel's name, its extension, its caller, a dial string) names these digits. */
  mentions(digits: string): boolean {
    return this.raw.some((text) => text.includes(digits));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => { this.ws.once('close', () => resolve()); this.ws.close(); });
  }
}

/** A zone whose local hour now is 12: inside 230-FZ's hours on any day, which debt collection applies. */
function noonZone(): string {
  const offset = ((12 - new Date().getUTCHours() + 36) % 24) - 12; // -12..+11
  // Etc/GMT signs are inverted: Etc/GMT-3 is UTC+3.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

suite('who may be called, on the real Asterisk', () => {
  let world: StackWorld;
  let watch: AsteriskWatch;
  const run = randomBytes(3).toString('hex');
  const campaignId = `comp-${run}`;
  const n = {
    debtor: fresh('1'),
    noConsent: fresh('2'),
    consent: fresh('3'),
    refused: fresh('0'),
    withdrawn: fresh('1'),
  };
  const digits = (e164: string): string => e164.slice(1);
  let attempts: { external_id: string; e164: string; outcome: string; channel_id: string | null; gate: { allowed: boolean; refusal?: string; checks: GateCheck[] } }[];

  beforeAll(async () => {
    world = await startWorld({}, { asterisk: true });
    const { pool } = world.db;
    await createTestCampaign(pool, {
      id: campaignId, state: 'draft', purpose: 'debt_collection', template: '{{BALANCE|money}}', maxAttemptsPerNumber: 1, ringTimeoutSeconds: 10,
    });
    const timeZone = noonZone();
    const givenAt = new Date(Date.now() - 86_400_000).toISOString();
    const third = (externalId: string, phone: string, consents: object[] = []) => ({
      externalId, timeZone, role: 'third_party', debtor: { externalId: 'debtor' }, phones: [{ number: phone }],
      variables: [{ key: 'BALANCE', value: '-100.00' }], consents,
    });
    // The ERP's upsert, as apps/api and the ERP endpoint call it.
    await upsertContacts(pool, campaignId, parseContactBatch([
      { externalId: 'debtor', personId: `p-${run}`, timeZone, phones: [{ number: n.debtor }], variables: [{ key: 'BALANCE', value: '-100.00' }] },
      third('third-no-consent', n.noConsent),
      third('third-consent', n.consent, [{ number: n.consent, source: 'form 12', givenAt, channel: 'written', documentRef: 'doc 7' }]),
      third('third-withdrawn', n.withdrawn, [{ number: n.withdrawn, source: 'form 13', givenAt, channel: 'written' }]),
      { externalId: 'refused', timeZone, phones: [{ number: n.refused }], variables: [{ key: 'BALANCE', value: '-100.00' }] },
    ]), 'test');
    // Withdrawn through the API's path (mutation withdrawConsent), a minute ago.
    const [given] = await listConsents(pool, { campaignId, externalId: 'third-withdrawn' });
    expect(await withdrawConsent(pool, given!.id, Date.now() - 60_000, { actor: 'test', from: null })).not.toBeNull();
    await addMassCallRefusals(pool, [{ e164: n.refused, refusedAt: null, operator: 'МТС' }], 'api', 'test');

    watch = await AsteriskWatch.open(ARI_URL!, process.env.ARI_USERNAME ?? 'dialer', process.env.ARI_PASSWORD ?? '');
    await startCampaign({ pool, temporal: world.client, taskQueue: world.config.TEMPORAL_TASK_QUEUE }, campaignId, 'test', { pollIntervalMs: 200 });
    const summary = await world.client.workflow.getHandle(campaignWorkflowId(campaignId)).result();
    expect(summary).toMatchObject({ state: 'completed', contactsStarted: 5 });
    // Every call's channels are gone once its contact finished: nothing more can be originated.
    await watch.close();
    ({ rows: attempts } = await pool.query(
      `SELECT c.external_id, a.e164, a.outcome::text, a.channel_id, a.gate FROM attempt a JOIN contact c ON c.id = a.contact_id
        WHERE a.campaign_id = $1 ORDER BY c.external_id, a.seq`, [campaignId]));
  });
  afterAll(async () => { await watch?.close(); await world?.close(); });

  it('Asterisk created channels to the debtor and the consenting third party only: one call each, the attempts\' own channels', () => {
    const ours = new Set(Object.values(n).map(digits));
    const dialled = [...watch.originated()].filter(([, d]) => ours.has(d));
    expect(dialled.map(([, d]) => d).sort()).toEqual([digits(n.debtor), digits(n.consent)].sort());
    const channelOf = new Map(attempts.map((a) => [a.e164, a.channel_id]));
    for (const [channelId, d] of dialled) expect(channelOf.get(`+${d}`)).toBe(channelId);
    // Not a channel, not a dial string, not a caller: Asterisk never heard of these numbers.
    for (const never of [n.noConsent, n.refused, n.withdrawn]) expect({ never, seen: watch.mentions(digits(never)) }).toEqual({ never, seen: false });
  });

  it('each refusal is an attempt row whose proof says why; each call\'s proof shows the checks it passed', () => {
    expect(attempts.map((a) => [a.external_id, a.outcome, a.gate.allowed, a.gate.refusal ?? null, a.channel_id === null])).toEqual([
      ['debtor', 'answered', true, null, false],
      ['refused', 'refused', false, 'mass_call_refused', true],
      ['third-consent', 'answered', true, null, false],
      ['third-no-consent', 'refused', false, 'no_consent', true],
      ['third-withdrawn', 'refused', false, 'no_consent', true],
    ]);
    const proof = (id: string) => attempts.find((a) => a.external_id === id)!.gate.checks;
    const profile = expect.objectContaining({ rule: 'rule_profile', passed: true, detail: expect.stringMatching(/^debt_collection: policy ru_230fz/) });
    for (const id of ['debtor', 'third-consent', 'third-no-consent', 'third-withdrawn', 'refused']) expect(proof(id)).toContainEqual(profile);
    expect(proof('debtor')).toContainEqual({ rule: 'consent', passed: true, detail: 'debtor: not required' });
    expect(proof('third-consent')).toContainEqual({ rule: 'consent', passed: true, detail: expect.stringMatching(/^third party: consent \d+ \(written\) given /) });
    expect(proof('third-no-consent')).toContainEqual({ rule: 'consent', passed: false, detail: 'third party: no consent for this number holds now' });
    expect(proof('third-withdrawn')).toContainEqual({ rule: 'consent', passed: false, detail: 'third party: no consent for this number holds now' });
    expect(proof('refused')).toContainEqual({ rule: 'not_mass_call_refused', passed: false, detail: expect.stringMatching(/^refusal \d+ via МТС/) });
    for (const id of ['debtor', 'third-consent']) expect(proof(id)).toContainEqual({ rule: 'not_mass_call_refused', passed: true });
  });
});
