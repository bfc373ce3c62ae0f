import http from 'node:http';
async function main() {
  const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('{}')); });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as any).port}/x`;
  const N = 5000, C = Number(process.argv[2] ?? 200);
  let next = 0; const t0 = Date.now(); let slow = 0, maxd = 0;
  async function worker() {
    while (next < N) {
      next++;
      const s = Date.now();
      const r = await fetch(url, { method: 'POST' }); await r.text();
      const d = Date.now() - s; if (d > 500) slow++; maxd = Math.max(maxd, d);
    }
  }
  await Promise.all(Array.from({ length: C }, worker));
  console.log(`C=${C}: ${(N / ((Date.now() - t0) / 1000)).toFixed(0)}/s slow=${slow} max=${maxd}ms`);
  server.close(); server.closeAllConnections();
}
main();
