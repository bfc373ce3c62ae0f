import http from 'node:http';
async function main() {
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as any).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(process.argv[3] ?? 200) });
  const N = 5000, C = Number(process.argv[2] ?? 200);
  let next = 0; const t0 = Date.now(); let maxd = 0;
  const one = () => new Promise<void>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/x', method: 'POST', agent }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject); req.end();
  });
  async function worker() { while (next < N) { next++; const s = Date.now(); await one(); maxd = Math.max(maxd, Date.now() - s); } }
  await Promise.all(Array.from({ length: C }, worker));
  console.log(`http.Agent C=${C}: ${(N / ((Date.now() - t0) / 1000)).toFixed(0)}/s max=${maxd}ms`);
  agent.destroy(); server.close(); server.closeAllConnections();
}
main();
