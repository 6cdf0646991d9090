// Runs a subprocess with a hard timeout, captures its output, and records every stderr byte for the leak check.
import { spawn } from 'node:child_process';
import { newStderrRecord } from './leak-record.js';

/** How a subprocess ended and what it printed. */
export interface ProcessResult {
  /** Exit code; null when it was killed by a signal (e.g. on timeout). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** Options for runProcess. */
export interface RunProcessOptions {
  /** Added over the inherited environment; a value of undefined removes the variable. */
  env?: Record<string, string | undefined>;
  timeoutMs: number;
  /** Written to stdin, then closed; without it stdin is /dev/null (as kubectl gives a non-interactive plugin). */
  input?: string;
  cwd?: string;
}

/** Grace period for grandchildren still holding stdout/stderr after the main process has exited. */
const DRAIN_MS = 1000;

/** The inherited environment without NODE_EXTRA_CA_CERTS (users rarely set it), plus the overrides. */
export function childEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Spawns `command args` in its own process group. On timeout the whole group is killed (kubectl never
 * times out a plugin, and a plugin may have started a browser command). Children still running
 * DRAIN_MS after the main process exits are killed too.
 */
export function runProcess(command: string, args: string[], options: RunProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const record = newStderrRecord();
  record.append(''); // the file exists even if the process writes nothing to stderr
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: childEnv(options.env),
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    record.append(chunk);
  });
  if (options.input !== undefined) child.stdin?.end(options.input);

  return new Promise((resolve, reject) => {
    let timedOut = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null; at: number } | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      const end = exited ?? { code: null, signal: null, at: performance.now() };
      resolve({
        code: end.code,
        signal: end.signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        durationMs: Math.round(end.at - started),
        timedOut,
      });
    };
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      exited = { code, signal, at: performance.now() };
      setTimeout(() => killGroup(child.pid), DRAIN_MS).unref();
    });
    child.once('close', finish);
  });
}
