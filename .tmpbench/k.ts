import { startAriSimulator } from '../apps/ari-simulator/simulator';
async function main() {
  const sim = await startAriSimulator({ username: 'u', password: 'p', timeScale: 0 });
  const N = 300; const auth = 'Basic ' + Buffer.from('u:p').toString('base64');
  for (const variant of ['plain', 'signal', 'accept', 'both', 'plain']) {
    const t = performance.now();
    for (let i = 0; i < N; i++) {
      const h: Record<string,string> = { authorization: auth };
      if (variant === 'accept' || variant === 'both') h.accept = 'application/json';
      const r = await fetch(`${sim.url}/ari/asterisk/info`, { headers: h, signal: variant === 'signal' || variant === 'both' ? AbortSignal.timeout(5000) : undefined });
      await r.text();
    }
    console.log(variant, ((performance.now() - t) / N).toFixed(2), 'ms');
  }
  await sim.close();
}
main();
