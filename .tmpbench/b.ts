import { AriClient } from '/work/main/activities/telephony/ariClient';
import { startAriSimulator } from '/work/main/apps/ari-simulator/simulator';
async function main() {
  const sim = await startAriSimulator({ username: 'u', password: 'p', timeScale: 0 });
  const client = await AriClient.connect({ url: sim.url, username: 'u', password: 'p', app: 'dialer' });
  const N = Number(process.argv[2] ?? 5000), C = Number(process.argv[3] ?? 200);
  let next = 0; const t0 = Date.now();
  async function worker() {
    while (next < N) {
      const i = next++;
      const channelId = `b-${i}`;
      await new Promise<void>((resolve, reject) => {
        const off = client.onChannel(channelId, (e) => {
          if (e.type === 'StasisStart') void client.hangup(channelId);
          if (e.type === 'ChannelDestroyed') { off(); resolve(); }
        });
        client.originate({ endpoint: `PJSIP/+7916${String(i).padStart(7, '0')}@carrier`, channelId }).catch(reject);
      });
    }
  }
  await Promise.all(Array.from({ length: C }, worker));
  const s = (Date.now() - t0) / 1000;
  console.log(`${N} calls in ${s}s = ${(N / s).toFixed(0)} calls/s`, sim.stats(), 'listeners', client.channelListenerCount());
  await client.close(); await sim.close();
}
main();
