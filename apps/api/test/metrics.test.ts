import { startMetricsServer, type MetricsServer } from '../../../adapters/metrics/metricsServer';
import { graphql, startApiWorld, type ApiWorld } from './apiWorld';

// GET /metrics of the API process (main.ts serves it on API_METRICS_PORT, apart from the API's
// port): Prometheus text with Node's defaults and the API's request counter, no personal data.

jest.setTimeout(60_000);

let world: ApiWorld;
let server: MetricsServer;
beforeAll(async () => {
  world = await startApiWorld();
  server = await startMetricsServer({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await server?.close();
  await world?.close();
});

async function scrape(): Promise<{ contentType: string | null; text: string }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  expect(res.status).toBe(200);
  return { contentType: res.headers.get('content-type'), text: await res.text() };
}

const count = (text: string, labels: string): number =>
  Number(new RegExp(`^dialer_api_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

test('GET /metrics answers Prometheus text: requests by operation type and outcome, Node\'s defaults, nothing personal', async () => {
  const before = (await scrape()).text;
  const days = await graphql(world.url, `query { calendarDays(country: "RU", from: "2026-01-01", to: "2026-01-31") { day } }`, {}, world.keys.viewer);
  expect(days.errors).toBeUndefined();
  const bad = await graphql(world.url, `mutation($input: CalendarDayInput!) { setCalendarDay(input: $input) { day } }`,
    { input: { country: 'RU', day: '2026-02-30', kind: 'holiday', name: 'Иван Петров +79161234567' } }, world.keys.admin);
  expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

  const { contentType, text } = await scrape();
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(text).toMatch(/^# TYPE dialer_api_requests_total counter$/m);
  expect(count(text, 'operation_type="query",outcome="ok"') - count(before, 'operation_type="query",outcome="ok"')).toBe(1);
  expect(count(text, 'operation_type="mutation",outcome="error"') - count(before, 'operation_type="mutation",outcome="error"')).toBe(1);
  expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  expect(text).not.toMatch(/79161234567|Петров|calendarDays|setCalendarDay/);
});
