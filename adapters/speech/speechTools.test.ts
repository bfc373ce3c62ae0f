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
});
