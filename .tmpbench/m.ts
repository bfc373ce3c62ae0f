// client only; sim runs in another process
import { AriClient } from '../activities/telephony/ariClient';
async function main() {
  const url = process.argv[2]!; const N = Number(process.argv[3] ?? 5000), C = Number(process.argv[4] ?? 50);
  const client = await AriClient.connect({ url, username: 'dialer', password: 'p', app: 'dialer' });
  let next = 0; const t0 = Date.now(); const cpu0 = process.cpuUsage(); let maxd = 0;
  async function worker() { while (next < N) { const i = next++; const channelId = `m-${i}`; const s = Date.now();
    await new Promise<void>((resolve, reject) => {
      const off = client.onChannel(channelId, (e) => {
        if (e.type === 'StasisStart') void client.hangup(channelId);
        if (e.type === 'ChannelDestroyed') { off(); resolve(); }
      });
      client.originate({ endpoint: `PJSIP/+7916${String(i).padStart(7, '0')}@carrier`, channelId, timeoutSec: 30 }).catch(reject);
    }); maxd = Math.max(maxd, Date.now() - s); } }
  await Promise.all(Array.from({ length: C }, worker));
  const secs = (Date.now() - t0) / 1000; const cu = process.cpuUsage(cpu0);
  console.log(`C=${C}: ${N} calls ${(N / secs).toFixed(0)} calls/s, max call ${maxd}ms, client cpu/call ${((cu.user + cu.system) / 1000 / N).toFixed(2)}ms`);
  await client.close();
}
main();
