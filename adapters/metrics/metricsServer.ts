import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsText } from './registry';

// GET /metrics on a port of its own, for Prometheus: apart from the API's port, so scraping
// needs no bearer token and the API's clients never see it. Bound to 127.0.0.1 by default.

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Port 0 takes a free port (tests); callers treat a configured 0 as "disabled" and don't call this. */
export async function startMetricsServer(opts: { host: string; port: number }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    metricsText().then(
      ({ contentType, body }) => { res.writeHead(200, { 'content-type': contentType }).end(req.method === 'HEAD' ? undefined : body); },
      () => { res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n'); },
    );
  });
  // A scrape in progress must not hold the process open at shutdown.
  server.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => { server.off('error', reject); resolve(); });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
