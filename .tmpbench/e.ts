import net from 'node:net';
async function main() {
  const server = net.createServer((s) => { s.on('data', () => {}); });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as any).port;
  const t0 = Date.now(); const times: number[] = [];
  await Promise.all(Array.from({ length: 200 }, () => new Promise<void>((res) => { const s = net.connect(port, '127.0.0.1', () => { times.push(Date.now() - t0); s.destroy(); res(); }); })));
  times.sort((a,b)=>a-b);
  console.log('200 connects: median', times[100], 'max', times[199], 'total', Date.now() - t0);
  server.close();
}
main();
