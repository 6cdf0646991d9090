// Runs the lock driver (and other TypeScript fixtures) as real processes, for the cache tests.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';

/** A running fixture process with its collected output. */
export interface FixtureProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) when it ends. */
  exited: Promise<number | string>;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** Starts `node --import tsx <fixture> ...args` from the repository root. */
export function startFixture(fixture: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): FixtureProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, fixture), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const check of waiters) check();
  });
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (text, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${text}" within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`)), timeoutMs);
        const check = () => {
          if (out.includes(text)) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        void exited.then(() => {
          if (!out.includes(text)) {
            clearTimeout(timer);
            reject(new Error(`exited before "${text}"; stdout: ${out}; stderr: ${err}`));
          }
        });
        check();
      }),
  };
}

/** The lock driver fixture. */
export const LOCK_DRIVER = 'test/integration/cache/fixtures/lock-driver.ts';
