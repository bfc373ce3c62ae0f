import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTool, ToolFailedError, ToolMissingError, toolPath } from './speechTools';

describe('the speech tools', () => {
  it('are found by their env variable first, then the project\'s wrappers, then PATH', () => {
    expect(toolPath('sox', { SOX_BIN: '/opt/sox' })).toBe('/opt/sox');
    expect(toolPath('espeak-ng', { DIALER_CACHE: '/nonexistent-cache' })).toBe('espeak-ng');
    expect(toolPath('sox', { DIALER_CACHE: join(__dirname, 'no-such-folder') })).toBe('sox');
  });

  it('name the script that installs them when they cannot be run', async () => {
    const err = await runTool('sox', ['--version'], { env: { SOX_BIN: '/nonexistent/sox' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toBe('sox could not be run (/nonexistent/sox: ENOENT); run scripts/speech-tools.sh start, or set SOX_BIN');
  });

  it('report a failure by its exit code and stderr', async () => {
    const err = await runTool('sox', ['-V1', '/nonexistent/in.wav', '-n']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolFailedError);
    expect((err as ToolFailedError).code).toBe(2);
    expect((err as Error).message).toMatch(/^sox failed \(exit 2\): .*in\.wav/);
  });

  it('run at most one process per core at a time, however many are asked for at once', async () => {
    // A stand-in for the voice that notes its start and end: the running count never passes
    // the cores, and every one of the runs still ends with its own output.
    const dir = mkdtempSync(join(tmpdir(), 'dialer-tools-'));
    const log = join(dir, 'runs.log');
    const tool = join(dir, 'fake-voice');
    writeFileSync(tool, `#!/bin/sh\necho + >> '${log}'\nsleep 0.2\necho - >> '${log}'\necho "$1"\n`);
    chmodSync(tool, 0o755);
    const cores = availableParallelism();
    const runs = Array.from({ length: cores * 4 }, (_, i) => runTool('espeak-ng', [String(i)], { env: { ESPEAK_NG_BIN: tool } }));
    const outputs = (await Promise.all(runs)).map((b) => b.toString('utf8').trim());
    expect(outputs).toEqual(Array.from({ length: cores * 4 }, (_, i) => String(i)));
    let running = 0;
    let most = 0;
    for (const mark of readFileSync(log, 'utf8').trim().split('\n')) {
      running += mark === '+' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(running).toBe(0);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(cores);
  });
});
