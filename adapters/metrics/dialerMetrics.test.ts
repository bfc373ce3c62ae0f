import type { PlacedCall } from '../ari/telephony';
import { callsInFlight, countGateRefusal, countImportedRows, countRecordedAttempt, countSpeechRequest, meterOriginate, speechCacheBytes, speechCacheEvictionsTotal, speechCacheHitsTotal, speechCacheMissesTotal } from './dialerMetrics';
import { startMetricsServer } from './metricsServer';
import { registry } from './registry';

const DIALER_METRICS = {
  dialer_calls_total: ['outcome'],
  dialer_calls_in_flight: [],
  dialer_gate_refusals_total: ['rule'],
  dialer_originate_seconds: ['le'],
  dialer_imported_rows_total: ['result'],
  dialer_speech_cache_hits_total: [],
  dialer_speech_cache_misses_total: [],
  dialer_speech_requests_total: ['provider', 'result'],
  dialer_speech_cache_evictions_total: [],
  dialer_speech_cache_bytes: [],
};

/** Label names that would carry personal data or unbounded ids. */
const PERSONAL_LABEL = /\{.*(number|phone|e164|msisdn|name|amount|balance|contact|person|campaign|caller|ip)/i;

async function value(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  const match = metric.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x) && (name !== 'dialer_originate_seconds' || (v as { metricName?: string }).metricName === 'dialer_originate_seconds_count'));
  return match?.value ?? 0;
}

const placed = (follow: () => Promise<never> | Promise<object>): PlacedCall => ({ follow } as unknown as PlacedCall);

describe('the dialer metrics', () => {
  beforeEach(() => registry.resetMetrics());

  it('are registered under their names with closed labels only, beside Node\'s defaults', async () => {
    countRecordedAttempt('busy');
    countGateRefusal('blacklisted');
    countImportedRows({ imported: 2, unchanged: 0, rejected: 1 });
    await meterOriginate(async () => placed(async () => ({})));
    countSpeechRequest('offline', 'ok');
    speechCacheHitsTotal.inc();
    speechCacheMissesTotal.inc();
    speechCacheEvictionsTotal.inc();
    speechCacheBytes.set(1);
    const metrics = await registry.getMetricsAsJSON();
    for (const [name, labels] of Object.entries(DIALER_METRICS)) {
      const metric = metrics.find((m) => m.name === name);
      expect(metric).toBeDefined();
      const seen = new Set(metric!.values.flatMap((v) => Object.keys(v.labels)));
      expect([...seen].sort()).toEqual([...labels].sort());
    }
    for (const m of metrics) {
      for (const v of m.values) for (const label of Object.keys(v.labels)) expect(`${m.name}{${label}}`).not.toMatch(PERSONAL_LABEL);
    }
    expect(metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['process_cpu_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']));
  });

  it('count placed calls by outcome; a refusal is the gate\'s to count', async () => {
    countRecordedAttempt('answered');
    countRecordedAttempt('answered');
    countRecordedAttempt('no_answer');
    countRecordedAttempt('refused');
    expect(await value('dialer_calls_total', { outcome: 'answered' })).toBe(2);
    expect(await value('dialer_calls_total', { outcome: 'no_answer' })).toBe(1);
    expect(await value('dialer_calls_total', { outcome: 'refused' })).toBe(0);
  });

  it('count imported rows by result, skipping empty results', async () => {
    countImportedRows({ imported: 3, unchanged: 2, rejected: 0 });
    countImportedRows({ imported: 1, unchanged: 0, rejected: 4 });
    expect(await value('dialer_imported_rows_total', { result: 'imported' })).toBe(4);
    expect(await value('dialer_imported_rows_total', { result: 'unchanged' })).toBe(2);
    expect(await value('dialer_imported_rows_total', { result: 'rejected' })).toBe(4);
  });

  it('hold a call in flight from the originate until follow() settles, whatever happens', async () => {
    let hangUp!: () => void;
    const call = await meterOriginate(async () => placed(() => new Promise((resolve) => { hangUp = () => resolve({}); })));
    expect((await callsInFlight.get()).values[0]!.value).toBe(1);
    const following = call.follow();
    hangUp();
    await following;
    expect((await callsInFlight.get()).values[0]!.value).toBe(0);

    await expect(meterOriginate(async () => { throw new Error('ARI refused the originate'); })).rejects.toThrow('ARI refused');
    expect((await callsInFlight.get()).values[0]!.value).toBe(0);

    const lost = await meterOriginate(async () => placed(async () => { throw new Error('socket closed'); }));
    expect((await callsInFlight.get()).values[0]!.value).toBe(1);
    await expect(lost.follow()).rejects.toThrow('socket closed');
    expect((await callsInFlight.get()).values[0]!.value).toBe(0);
    expect(await value('dialer_originate_seconds')).toBe(3);
  });
});

describe('the metrics server', () => {
  it('answers GET /metrics in Prometheus text and nothing else', async () => {
    countGateRefusal('cap_reached');
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toMatch(/^# HELP dialer_gate_refusals_total /m);
      expect(text).toMatch(/^dialer_gate_refusals_total\{rule="cap_reached"\} [1-9]/m);
      expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
