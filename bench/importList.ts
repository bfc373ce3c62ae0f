import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { createTestDatabase } from '../test/testDatabase';
import { writeAccountingExtract } from './accountingExtract';

// The list import of a generated accounting extract beside a bare COPY of the same file into a
// plain three-column table, in the same run on a fresh database of the stack's Postgres:
//
//   npm run bench:import -- [rows=1000000]
//
// The import runs as a user runs it (the CLI, its own process), timed with its peak RSS and CPU
// by /usr/bin/time; its log line gives the time of each step. Figures go to stdout.

const ROOT = path.resolve(__dirname, '..');

function load(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isInteger(rows) || rows < 1) throw new Error('usage: npm run bench:import -- [rows]');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));
  const file = path.join(dir, 'extract.csv');
  const db = await createTestDatabase();
  try {
    await writeAccountingExtract(rows, file);
    const bytes = statSync(file).size;
    process.stdout.write(`extract: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB; ${os.cpus().length} cores; load before: ${load()}\n`);

    // Bare COPY: the file's three columns as text, no checks, no indexes.
    await db.pool.query('CREATE TABLE bare_copy (name text, phone_number text, user_vars text)');
    const client = await db.pool.connect();
    const copyStarted = process.hrtime.bigint();
    try {
      await pipeline(createReadStream(file), client.query(copyFrom('COPY bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)')));
    } finally {
      client.release();
    }
    const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
    const copied = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bare_copy')).rows[0]!.n;
    if (copied !== rows) throw new Error(`bare COPY took ${copied} rows, not ${rows}`);
    process.stdout.write(`bare COPY:    ${copySeconds.toFixed(2)} s, ${Math.round(rows / copySeconds)} rows/s; load: ${load()}\n`);

    await db.pool.query(`INSERT INTO campaign (id, name, caller_id) VALUES ('bench', 'Bench', '+74950000000')`);
    const started = process.hrtime.bigint();
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('/usr/bin/time', ['-f', 'TIME %e s %P cpu %M kB', process.execPath, '--import', 'tsx', 'apps/cli/importList.ts', '--campaign', 'bench', file], {
        cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.code !== 0) throw new Error(`the import failed (${run.code}): ${run.stderr.slice(-2000)}`);
    const time = /TIME ([\d.]+) s (\d+)% cpu (\d+) kB/.exec(run.stderr);
    const finished = run.stderr.split('\n').find((l) => l.includes('"list import finished"'));
    const steps = finished ? JSON.parse(finished) as { readMs: number; chunkMs: Record<string, number>; mergeMs: Record<string, number> } : undefined;
    const imported = (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM contact WHERE campaign_id = 'bench'`)).rows[0]!.n;
    if (imported !== rows) throw new Error(`the import added ${imported} contacts, not ${rows}`);
    const rate = rows / seconds;
    process.stdout.write(`import:list:  ${seconds.toFixed(2)} s, ${Math.round(rate)} rows/s, ${time ? `peak RSS ${Math.round(Number(time[3]) / 1024)} MB, ${time[2]} % of a core` : '(no /usr/bin/time figures)'}; load: ${load()}\n`);
    if (steps) {
      const seconds = (ms: Record<string, number>) => Object.entries(ms).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ');
      // The chunks are inserted while the next is read: their time is part of the reading's, not added to it.
      process.stdout.write(`  reading, with the chunks inserted meanwhile: ${(steps.readMs / 1000).toFixed(1)} s (chunks: ${seconds(steps.chunkMs)}); end: ${seconds(steps.mergeMs)}\n`);
    }
    process.stdout.write(`ratio to bare COPY: ${(rate / (rows / copySeconds)).toFixed(3)} (goal >= 0.1), peak RSS goal <= 300 MB\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:import: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
