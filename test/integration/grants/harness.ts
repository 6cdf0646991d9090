// Shared set-up of the grant tests: get-token flags, and a live kube-login process that a test can
// watch and type into, optionally on a pseudo-terminal (util-linux `script`), as a person would.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../../src/apiserver/shell-quote.js';
import { makeTempHome } from '../../support/cli.js';
import { newStderrRecord } from '../../support/leak-record.js';
import { kubeLogin, kubeLoginArgv, repoRoot } from '../../support/paths.js';
import { childEnv } from '../../support/run-process.js';
import { makeTempDir } from '../../support/temp-dir.js';

/** Variables that decide what `--grant-type auto` picks: every test sets the ones it wants. */
export const MACHINE_VARIABLES = ['DISPLAY', 'WAYLAND_DISPLAY', 'SSH_CONNECTION', 'SSH_TTY', 'SSH_CLIENT', 'WSL_DISTRO_NAME', 'WSL_INTEROP', 'KUBERNETES_EXEC_INFO'] as const;

/** An environment with HOME set and the machine variables cleared, plus `extra`. */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> & { HOME: string } {
  const env: Record<string, string | undefined> = {};
  for (const name of MACHINE_VARIABLES) env[name] = undefined;
  return { ...env, ...extra, HOME: home };
}

/** `KUBERNETES_EXEC_INFO` as kubectl sends it, with a trailing newline (TESTBED). */
export function execInfo(interactive: boolean): string {
  return JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1', spec: { interactive } }) + '\n';
}

/** How a live run ended. */
export interface LiveResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stderr; on a pseudo-terminal, everything the terminal showed (stdout goes to a file there). */
  output: string;
  durationMs: number;
}

/** A running kube-login. */
export interface LiveCli {
  /** What it printed to stderr (the terminal) so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects with the output after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Types into its stdin (the terminal). */
  write(text: string): void;
  /** Sends a signal to kube-login (on a terminal, SIGINT is typed as Ctrl-C). */
  signal(name: NodeJS.Signals): void;
  readonly done: Promise<LiveResult>;
}

/** Options of startCli. */
export interface StartCliOptions {
  env: Record<string, string | undefined> & { HOME: string };
  /** Run on a pseudo-terminal: stdin and stderr are a terminal, stdout a file (as kubectl reads it). */
  terminal?: boolean;
  /** Kill the process group after this long (default 60 s). */
  timeoutMs?: number;
}

/** Starts `kube-login ...args` from the built CLI; stdin stays open for `write`. */
export function startCli(args: string[], options: StartCliOptions): LiveCli {
  if (kubeLogin.kind === 'node' && !existsSync(join(repoRoot, 'dist'))) throw new Error('kube-login is not built: run `node scripts/build.mjs` first');
  const started = performance.now();
  const record = newStderrRecord();
  record.append('');
  const stdoutFile = join(makeTempDir('kube-login-stdout-'), 'stdout.json');
  const run = kubeLoginArgv(args);
  const command = [run.command, ...run.args];
  // `script -e` returns the child's exit code; `exec` makes kube-login the shell's own process, so a signal reaches it.
  const [file, fileArgs] = options.terminal
    ? ['script', ['-qfec', `exec ${command.map(shellQuote).join(' ')} > ${shellQuote(stdoutFile)}`, '/dev/null']]
    : [run.command, run.args];
  const child = spawn(file as string, fileArgs as string[], { cwd: kubeLogin.cwd, env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let output = '';
  let stdout = '';
  const waiters = new Set<() => void>();
  const onOutput = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    record.append(chunk);
    for (const wake of waiters) wake();
  };
  if (options.terminal) child.stdout.on('data', onOutput);
  else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', onOutput);
  const killGroup = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(killGroup, options.timeoutMs ?? 60_000);
  const done = new Promise<LiveResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      setTimeout(killGroup, 500).unref();
      if (options.terminal && existsSync(stdoutFile)) stdout = readFileSync(stdoutFile, 'utf8');
      resolve({ code, signal, stdout, output, durationMs: Math.round(performance.now() - started) });
    });
  });
  return {
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = pattern.exec(output);
          if (!match) return false;
          waiters.delete(wake);
          clearTimeout(timeout);
          resolve(match);
          return true;
        };
        const wake = (): void => void check();
        const timeout = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no ${pattern} in the output after ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        waiters.add(wake);
        check();
        void done.then(() => {
          if (waiters.has(wake) && !check()) {
            waiters.delete(wake);
            clearTimeout(timeout);
            reject(new Error(`kube-login ended without printing ${pattern}:\n${output}`));
          }
        });
      });
    },
    write: (text) => void child.stdin.write(text),
    signal(name) {
      // On a terminal Ctrl-C is a keystroke: the terminal turns it into SIGINT (or readline reads it in raw mode).
      if (options.terminal && name === 'SIGINT') child.stdin.write('\x03');
      else child.kill(name);
    },
    done,
  };
}

/** A fresh home for one test. */
export function freshHome(): string {
  return makeTempHome();
}

/** The parsed ExecCredential, failing with the output when stdout is not one. */
export function credentialOf(result: { stdout: string; output: string; code: number | null }): { apiVersion: string; status: { token: string; expirationTimestamp: string } } {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not an ExecCredential (exit ${result.code}):\nstdout: ${result.stdout}\noutput: ${result.output}`);
  }
}

/** The JSON payload of a compact JWT. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}
