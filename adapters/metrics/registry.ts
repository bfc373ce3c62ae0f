import { collectDefaultMetrics, Registry } from 'prom-client';

// The process's one metrics registry: the dialer's own metrics (dialerMetrics.ts), the API's
// when the API runs, and Node's defaults (heap, event loop lag, GC, handles). A registry of our
// own rather than prom-client's global one, so a library that registers on the global cannot
// clash with a name here or leak into what we serve.

export const registry = new Registry();

collectDefaultMetrics({ register: registry });

/** The Prometheus text exposition of everything registered, and its content type. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
