// Runs the BUILT kube-login (node bin/kube-login.js, or the compiled executable: paths.ts) as a subprocess, like kubectl would.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kubeLogin, kubeLoginArgv, repoRoot } from './paths.js';
import { runProcess, type ProcessResult } from './run-process.js';
import { makeTempDir } from './temp-dir.js';

/** Options for runCli; `env.HOME` is required so no test touches the real ~/.kube. */
export interface RunCliOptions {
  env: Record<string, string | undefined> & { HOME: string };
  /** Default 30 s; the whole process group is killed after it. */
  timeoutMs?: number;
  /** Text for stdin; without it stdin is /dev/null. */
  input?: string;
  /** The working folder (default: the repository, or the executable's folder). */
  cwd?: string;
  /** Keep NODE_EXTRA_CA_CERTS from the test's environment (it is removed by default). */
  keepNodeExtraCaCerts?: boolean;
}

/** The outcome of one kube-login run. */
export type CliResult = ProcessResult;

/** Runs kube-login with `args` (see paths.ts kubeLogin); stderr is recorded for the leak check. */
export async function runCli(args: string[], options: RunCliOptions): Promise<CliResult> {
  if (kubeLogin.kind === 'node' && !existsSync(join(repoRoot, 'dist'))) {
    throw new Error('kube-login is not built: run `node scripts/build.mjs` first (npm test does)');
  }
  const env = { ...options.env };
  if (options.keepNodeExtraCaCerts && process.env.NODE_EXTRA_CA_CERTS !== undefined) {
    env.NODE_EXTRA_CA_CERTS ??= process.env.NODE_EXTRA_CA_CERTS;
  }
  const run = kubeLoginArgv(args);
  return runProcess(run.command, run.args, {
    env,
    timeoutMs: options.timeoutMs ?? 30_000,
    input: options.input,
    cwd: options.cwd ?? kubeLogin.cwd,
  });
}

/** A fresh HOME (with .kube/cache) under os.tmpdir(), removed when the test process exits. */
export function makeTempHome(): string {
  const home = makeTempDir('kube-login-home-');
  mkdirSync(join(home, '.kube', 'cache'), { recursive: true });
  return home;
}
