import http from 'node:http';
import { startAriSimulator } from '/work/main/apps/ari-simulator/simulator';
import WebSocket from 'ws';
async function main() {
  const sim = await startAriSimulator({ username: 'u', password: 'p', timeScale: 0 });
  const ws = new WebSocket(`${sim.url.replace('http','ws')}/ari/events?app=dialer&api_key=u:p`);
  await new Promise(r => ws.on('open', r));
  let events = 0; ws.on('message', () => events++);
  const N = 5000, C = Number(process.argv[2] ?? 20);
  let next = 0; const t0 = Date.now(); let slow = 0;
  const auth = 'Basic ' + Buffer.from('u:p').toString('base64');
  async function worker() {
    while (next < N) {
      const i = next++;
      const s = Date.now();
      const r = await fetch(`${sim.url}/ari/channels?endpoint=PJSIP/${1000000+i}@c&app=dialer&channelId=x${i}`, { method: 'POST', headers: { authorization: auth }, signal: AbortSignal.timeout(5000) });
      await r.text();
      const d = Date.now() - s; if (d > 500) { slow++; console.log('slow', i, d); }
    }
  }
  await Promise.all(Array.from({ length: C }, worker));
  const secs = (Date.now() - t0) / 1000;
  console.log(`${N} originates in ${secs}s = ${(N / secs).toFixed(0)}/s slow=${slow} events=${events}`);
  ws.close(); await sim.close();
}
main();
