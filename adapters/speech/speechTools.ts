import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';

// The two programs speech runs: espeak-ng (the offline voice) and sox (conversion to what
// Asterisk plays). scripts/speech-tools.sh makes them available and prints their paths
// (ESPEAK_NG_BIN, SOX_BIN); without those variables the wrappers it writes to
// $DIALER_CACHE/bin are used, then whatever PATH has.

export type SpeechTool = 'espeak-ng' | 'sox';

const TOOL_ENV: Record<SpeechTool, string> = { 'espeak-ng': 'ESPEAK_NG_BIN', sox: 'SOX_BIN' };

/** The folder the project's scripts install into (scripts/env.sh). */
export function dialerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DIALER_CACHE || join(env.HOME || homedir(), '.cache', 'dialer');
}

/** The path to run `tool` by: its env variable, the project's wrapper, or the bare name. */
export function toolPath(tool: SpeechTool, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[TOOL_ENV[tool]];
  if (fromEnv) return fromEnv;
  const wrapper = join(dialerCacheDir(env), 'bin', tool);
  return existsSync(wrapper) ? wrapper : tool;
}

/** The program could not be started at all (not installed, not executable). */
export class ToolMissingError extends Error {
  override readonly name = 'ToolMissingError';
  constructor(readonly tool: SpeechTool, readonly path: string, cause: string) {
    super(`${tool} could not be run (${path}: ${cause}); run scripts/speech-tools.sh start, or set ${TOOL_ENV[tool]}`);
  }
}

/** The program ran and failed: its exit code and the end of what it said on stderr. */
export class ToolFailedError extends Error {
  override readonly name = 'ToolFailedError';
  constructor(readonly tool: SpeechTool, readonly code: number | null, readonly stderr: string) {
    super(`${tool} failed (${code === null ? 'killed' : `exit ${code}`})${stderr ? `: ${stderr}` : ''}`);
  }
}

export interface RunOptions {
  /** Written to the program's stdin (then closed). */
  input?: Buffer;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `tool` with `args` and resolves with its stdout when it exits 0. The arguments are an
 * array handed to the program directly (no shell), so text given as an argument is never parsed.
 */
export function runTool(tool: SpeechTool, args: string[], opts: RunOptions = {}): Promise<Buffer> {
  return toolSlots(() => runNow(tool, args, opts));
}

// A hundred contacts preparing at once would start two hundred synthesis processes on a few
// cores: the worker's workflow tasks and the gate's local activities then wait seconds for CPU
// (Temporal warns of workflow tasks over 5 s), and calls come in bursts. One process per core
// runs at the same total speed and leaves the event loop its share.
const toolSlots = pLimit(Math.max(1, availableParallelism()));

function runNow(tool: SpeechTool, args: string[], opts: RunOptions): Promise<Buffer> {
  const path = toolPath(tool, opts.env);
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: opts.signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const settle = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.name === 'AbortError') settle(() => reject(e));
      else settle(() => reject(new ToolMissingError(tool, path, e.code ?? e.message)));
    });
    child.on('close', (code) => {
      if (code === 0) settle(() => resolve(Buffer.concat(out)));
      else settle(() => reject(new ToolFailedError(tool, code, lastLines(Buffer.concat(err).toString('utf8')))));
    });
    // The program may exit before reading all of its input (a format it rejects at once):
    // that EPIPE is not the failure to report; its exit code and stderr are.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? Buffer.alloc(0));
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' ').slice(0, 500);
}
