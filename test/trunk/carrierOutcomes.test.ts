import { randomUUID } from 'node:crypto';
import { AriClient } from '../../adapters/ari/ariClient';
import { AriTelephony } from '../../adapters/ari/ariTelephony';
import { TrunkDownError, type CallReport, type CallSpec } from '../../adapters/ari/telephony';
import { TrunkHealth } from '../../adapters/ari/trunkHealth';
import {
  asteriskCli, carrierNumber, carrierUnavailable, holdCarrier, rtpReceived, startCarrier, untilEndpoint, untilRegistered, type Carrier,
} from './carrier';

// The production trunk (asterisk/production/pjsip.conf, rendered by scripts/sipp.sh) to a SIP
// carrier played by SIPp, driven by the product's own AriClient and AriTelephony: every answer a
// carrier gives must become its outcome (docs/outcomes.md), a 403 must be the trunk's and no
// attempt, and a carrier that stops answering OPTIONS must stop the calls before they are placed.

const unavailable = carrierUnavailable();
const suite = unavailable ? describe.skip : describe;
if (unavailable) test.todo(`calls through the SIP trunk: ${unavailable}`);

// A file waits for another to give the carrier back (holdCarrier) before its own work.
jest.setTimeout(300_000);

const handling = { detectMachines: false, machineAction: 'hang_up', operatorKey: null, operatorWaitSeconds: 0, minListenSeconds: null } as unknown as CallSpec['handling'];

suite('the SIP trunk to a carrier (SIPp)', () => {
  let client: AriClient;
  let telephony: AriTelephony;
  let carrier: Carrier;
  const changes: string[] = [];

  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await holdCarrier();
    carrier = startCarrier('answering');
    await untilEndpoint(carrier.endpoint, 'online');
    client = await AriClient.connect({
      url: process.env.ASTERISK_ARI_URL!, username: process.env.ARI_USERNAME!, password: process.env.ARI_PASSWORD!,
      app: `trunk-test-${randomUUID().slice(0, 8)}`,
    });
    const trunkHealth = new TrunkHealth(client, {
      offlineRetryMs: 1000, onChange: (c) => changes.push(`${c.trunk} ${c.up ? 'up' : `down ${c.reason}`}`),
    });
    telephony = new AriTelephony(client, {
      endpointTemplate: carrier.endpointTemplate, dtmfWaitMs: 300, maxMessageMs: 30_000, language: 'en', trunkHealth,
    });
  });
  afterAll(async () => {
    // The carrier answers again for whoever comes next.
    if (carrier) startCarrier('answering');
    await client?.close();
    release?.();
  });

  const place = async (answer: string, opts: Partial<CallSpec> = {}): Promise<CallReport> => {
    const placed = await telephony.originate({
      channelId: randomUUID(), e164: carrierNumber(answer), callerId: '+74950000000', ringTimeoutSeconds: 3,
      media: [], handling, ...opts,
    }, { heartbeat: () => undefined });
    return placed.follow();
  };

  it('registers with the carrier and qualifies it (OPTIONS answered: the contact is available)', async () => {
    expect(await untilRegistered()).toMatch(/carrier\/sip:127\.0\.0\.1:\d+ .* Registered/);
    expect(asteriskCli('pjsip show aor carrier')).toMatch(/Contact:\s+carrier\/sip:127\.0\.0\.1:\d+\s+\S+\s+Avail/);
  });

  // What Asterisk 22.10.1 made of each answer: the SIP code (tech_cause) and the Q.850 cause.
  it.each([
    ['486', 'busy', 486, 17],
    ['600', 'busy', 600, 17],
    ['404', 'invalid_number', 404, 1],
    ['484', 'invalid_number', 484, 28],
    ['410', 'invalid_number', 410, 22],
    ['604', 'invalid_number', 604, 1],
    ['480', 'no_answer', 480, 19],
    ['408', 'no_answer', 408, 18],
    ['503', 'congestion', 503, 34],
    ['500', 'congestion', 500, 38],
    ['603', 'declined', 603, 21],
  ])('carrier answers %s → %s', async (answer, outcome, sipCode, cause) => {
    const r = await place(answer);
    expect({ outcome: r.outcome, sipCode: r.sipCode, hangupCause: r.hangupCause }).toEqual({ outcome, sipCode, hangupCause: cause });
    expect(r.answeredAt).toBeNull();
  });

  it.each([['180'], ['183']])('carrier rings (%s) and nobody answers within the ring time → no_answer', async (answer) => {
    const started = Date.now();
    const r = await place(answer);
    expect(r.outcome).toBe('no_answer');
    expect(r.hangupCause).toBe(19);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
  });

  it('603 (the subscriber declines) and 403 (the carrier refuses us) are told apart, though both are cause 21', async () => {
    expect((await place('603')).outcome).toBe('declined');
    const refused = await place('403').then(() => null, (err: unknown) => err);
    expect(refused).toBeInstanceOf(TrunkDownError);
    expect(refused).toMatchObject({ reason: 'refused', sipCode: 403, trunk: carrier.endpoint });
    // One refusal may be about one destination: the trunk still carries the next call.
    expect((await place('486')).outcome).toBe('busy');
  });

  it('200 OK with audio, and the subscriber hangs up (a BYE without Reason: cause 0) → answered, recorded as normal clearing', async () => {
    const channelId = randomUUID();
    let rtp = 0;
    const polling = setInterval(() => void rtpReceived(channelId).then((n) => { if (n) rtp = Math.max(rtp, n); }), 300);
    try {
      const placed = await telephony.originate({
        channelId, e164: carrierNumber('200'), callerId: '+74950000000', ringTimeoutSeconds: 5,
        media: ['sound:silence/10'], handling,
      }, { heartbeat: () => undefined });
      const r = await placed.follow();
      // The carrier hangs up 4 s after its 200 OK, in the middle of the 10 s message.
      expect(r.outcome).toBe('answered_short');
      expect(r.answeredAt).not.toBeNull();
      expect(r.listenedMs).toBeGreaterThan(3000);
      expect(r.listenedMs).toBeLessThan(8000);
      expect(r.hangupCause).toBe(16);
    } finally {
      clearInterval(polling);
    }
    // SIPp played G.711 A-law (sip-tester's g711a.pcap) after its 200 OK: 50 packets a second.
    expect(rtp).toBeGreaterThan(50);
  });

  it('any other number answers and listens (up to 60 s): a 5 s message is heard to the end → answered', async () => {
    const r = await place('123', { media: ['sound:silence/5'] });
    expect(r.outcome).toBe('answered');
    expect(r.listenedMs).toBeGreaterThan(4500);
  });

  it('200 OK, the message heard to the end: the dialer hangs up → answered', async () => {
    const r = await place('200', { media: ['sound:beep'] });
    expect(r.outcome).toBe('answered');
    expect(r.hangupCause).toBe(16);
  });

  describe('a carrier silent to OPTIONS (a dead trunk)', () => {
    beforeAll(async () => {
      startCarrier('silent');
      await untilEndpoint(carrier.endpoint, 'offline');
    });

    it('Asterisk refuses the originate with "Allocation failed", and the telephony places nothing: TrunkDownError', async () => {
      // What the product met before: POST /channels answers HTTP 500.
      await expect(client.originate({ endpoint: carrier.endpointTemplate.replace('{number}', '79990000200'), channelId: randomUUID() }))
        .rejects.toMatchObject({ status: 500 });
      const channelId = randomUUID();
      const err = await place('200', { channelId }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(TrunkDownError);
      expect(err).toMatchObject({ reason: 'offline', trunk: carrier.endpoint });
      expect(await client.getChannel(channelId)).toBeNull();
      await expect(telephony.ensureTrunkUp()).rejects.toBeInstanceOf(TrunkDownError);
    });

    it('said once when the trunk went down, and once when it came back', async () => {
      for (let i = 0; i < 5; i++) await expect(telephony.ensureTrunkUp()).rejects.toBeInstanceOf(TrunkDownError);
      startCarrier('answering');
      await untilEndpoint(carrier.endpoint, 'online');
      // The endpoint event reaches the telephony a moment after ARI's GET shows it.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (await telephony.ensureTrunkUp().then(() => false, () => true))) await new Promise((r) => setTimeout(r, 100));
      expect((await place('486')).outcome).toBe('busy');
      expect(changes.filter((c) => c.startsWith(carrier.endpoint))).toEqual([`${carrier.endpoint} down offline`, `${carrier.endpoint} up`]);
    });
  });
});
