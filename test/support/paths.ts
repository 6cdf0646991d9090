// Well-known locations inside the repository that the test support layer reads and writes, and the
// one switch that says which kube-login the integration and end-to-end suites run.
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (the folder holding package.json). */
export const repoRoot: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Folder holding one sub-folder per test run with its recorded stderr and issued tokens. */
export const leakCheckDir: string = join(repoRoot, '.tmp', 'leak-check');

/** The built command-line entry point that integration tests run under Node. */
export const cliEntry: string = join(repoRoot, 'bin', 'kube-login.js');

/** The HTTP login driver used as `--browser-command`. */
export const loginDriverScript: string = join(repoRoot, 'test', 'support', 'login-driver.mjs');

/** The headless-Chromium login driver used as `--browser-command`. */
export const chromiumLoginScript: string = join(repoRoot, 'test', 'support', 'chromium-login.mjs');

/**
 * The switch: when set, the absolute path of a compiled kube-login executable (scripts/test.mjs
 * copies it into a temporary folder with no node_modules) that every test runs instead of
 * `node bin/kube-login.js`, as kubectl would run it.
 */
export const TEST_EXECUTABLE_ENV = 'KUBE_LOGIN_TEST_EXECUTABLE';

/** How to start the kube-login under test: `command` with `prefix` before kube-login's own arguments. */
export interface KubeLoginUnderTest {
  kind: 'node' | 'executable';
  command: string;
  prefix: readonly string[];
  /** The working folder for runs: the repository under Node, the executable's own folder otherwise. */
  cwd: string;
}

function underTest(): KubeLoginUnderTest {
  const executable = process.env[TEST_EXECUTABLE_ENV];
  if (!executable) return { kind: 'node', command: process.execPath, prefix: [cliEntry], cwd: repoRoot };
  if (!isAbsolute(executable)) throw new Error(`${TEST_EXECUTABLE_ENV} must be an absolute path, not ${executable}`);
  return { kind: 'executable', command: executable, prefix: [], cwd: dirname(executable) };
}

/** The kube-login every integration and end-to-end test runs (see TEST_EXECUTABLE_ENV). */
export const kubeLogin: KubeLoginUnderTest = underTest();

/** The command and argument list that run kube-login with `args`, for spawn/execFile or a kubeconfig exec stanza. */
export function kubeLoginArgv(args: readonly string[]): { command: string; args: string[] } {
  return { command: kubeLogin.command, args: [...kubeLogin.prefix, ...args] };
}

/**
 * The exec command `kube-login setup` writes when run as the tests run it: `kube-login` under Node
 * (npm's name on PATH), the executable's absolute path when it is not on PATH by one of its names.
 */
export function setupExecCommand(): string {
  return kubeLogin.kind === 'node' ? 'kube-login' : kubeLogin.command;
}

/** A POSIX shell command line running kube-login (for `#!/bin/sh` shims and tmux). */
export function kubeLoginShellCommand(): string {
  return [kubeLogin.command, ...kubeLogin.prefix].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
}
