import { AriClient } from '../activities/telephony/ariClient';
import { startAriSimulator } from '../apps/ari-simulator/simulator';
async function main() {
  const sim = await startAriSimulator({ username: 'u', password: 'p', timeScale: 0 });
  const client = await AriClient.connect({ url: sim.url, username: 'u', password: 'p', app: 'dialer' });
  const N = 300;
  let t = performance.now();
  for (let i = 0; i < N; i++) await client.originate({ endpoint: `PJSIP/+7916${String(i).padStart(6, '0')}9@carrier` });
  console.log('client originate (unallocated)', ((performance.now() - t) / N).toFixed(2), 'ms');
  t = performance.now();
  for (let i = 0; i < N; i++) await client.originate({ endpoint: `PJSIP/+7916${String(i).padStart(6, '0')}1@carrier` });
  console.log('client originate (answer)', ((performance.now() - t) / N).toFixed(2), 'ms');
  t = performance.now();
  for (let i = 0; i < N; i++) await client.asteriskInfo();
  console.log('client info', ((performance.now() - t) / N).toFixed(2), 'ms');
  t = performance.now();
  for (let i = 0; i < N; i++) await new Promise((r) => setTimeout(r, 0));
  console.log('setTimeout 0', ((performance.now() - t) / N).toFixed(2), 'ms');
  await client.close(); await sim.close();
}
main();
