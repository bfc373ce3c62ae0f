import { AriClient } from '../activities/telephony/ariClient';
import { startAriSimulator } from '../apps/ari-simulator/simulator';
async function main() {
  const sim = await startAriSimulator({ username: 'u', password: 'p', timeScale: 0 });
  const client = await AriClient.connect({ url: sim.url, username: 'u', password: 'p', app: 'dialer' });
  const N = Number(process.env.N ?? 300); const C = Number(process.argv[2] ?? 1);
  const ph = { orig: 0, toStart: 0, toEnd: 0 }; let next = 0;
  const t0 = Date.now(); const cpu0 = process.cpuUsage();
  async function worker() { while (next < N) { const i = next++;
    const channelId = `b-${i}`; const s = performance.now(); let st = 0;
    const p = new Promise<void>((resolve) => {
      const off = client.onChannel(channelId, (e) => {
        if (e.type === 'StasisStart') { st = performance.now(); ph.toStart += st - s; void client.hangup(channelId); }
        if (e.type === 'ChannelDestroyed') { ph.toEnd += performance.now() - st; off(); resolve(); }
      });
    });
    await client.originate({ endpoint: `PJSIP/+7916${String(i).padStart(6, '0')}1@carrier`, channelId });
    ph.orig += performance.now() - s;
    await p; } }
  await Promise.all(Array.from({ length: C }, worker));
  const cu = process.cpuUsage(cpu0); console.log(`cpu/call ${((cu.user + cu.system) / 1000 / N).toFixed(2)}ms C=${C} ${(N / ((Date.now() - t0) / 1000)).toFixed(0)}/s avg originate ${(ph.orig / N).toFixed(2)}ms, to StasisStart ${(ph.toStart / N).toFixed(2)}ms, hangup→Destroyed ${(ph.toEnd / N).toFixed(2)}ms`);
  await client.close(); await sim.close();
}
main();
