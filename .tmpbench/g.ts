import http from 'node:http';
async function main() {
  const base = process.argv[2]!; const mode = process.argv[3]; const C = Number(process.argv[4] ?? 32);
  const agent = new http.Agent({ keepAlive: true, maxSockets: C });
  const auth = 'Basic ' + Buffer.from('dialer:p').toString('base64');
  const N = 10000; let next = 0; const t0 = Date.now(); let maxd = 0;
  const cpu0 = process.cpuUsage();
  const viaAgent = (path: string) => new Promise<void>((resolve, reject) => {
    const req = http.request(base + path, { method: 'POST', agent, headers: { authorization: auth }, signal: AbortSignal.timeout(5000) }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject); req.end();
  });
  const viaFetch = async (path: string) => { const r = await fetch(base + path, { method: 'POST', headers: { authorization: auth }, signal: AbortSignal.timeout(5000) }); await r.text(); };
  const one = mode === 'agent' ? viaAgent : viaFetch;
  async function worker() { while (next < N) { const i = next++; const s = Date.now(); await one(`/ari/channels?endpoint=PJSIP/${1000000 + i}9@c&app=dialer`); maxd = Math.max(maxd, Date.now() - s); } }
  await Promise.all(Array.from({ length: C }, worker));
  const secs = (Date.now() - t0) / 1000; const cpu = process.cpuUsage(cpu0);
  console.log(`${mode} C=${C}: ${(N / secs).toFixed(0)}/s max=${maxd}ms clientCPU=${((cpu.user + cpu.system) / 1000 / N).toFixed(3)}ms/req`);
  agent.destroy();
}
main();
