// Reading a kubeconfig user's exec stanza as kubectl runs it: what program its args run, and its env.
import { basename } from 'node:path';

/** What the exec args run: kube-login's get-token (and its flags), kubelogin's, or something else. */
export type ExecProgram = { kind: 'kube-login' | 'kubelogin'; getTokenArgs: string[] } | { kind: 'other' };

const KUBELOGIN_COMMAND = /^(kubelogin|kubectl-oidc_login)(\.exe)?$/;
const KUBE_LOGIN_COMMAND = /^(kube-login|kubectl-kube_login)(\.exe)?$/;
/** `node …/kube-login.js get-token …` (a checkout or an npm shim). */
const KUBE_LOGIN_SCRIPT = /^kube-login(\.c?js|\.mjs)?$/;

/** Finds `get-token` in the args (`kube-login get-token …`, `node …/kube-login.js get-token …`, `kubectl oidc-login get-token …`). */
export function execProgram(command: string, args: readonly string[]): ExecProgram {
  const at = args.indexOf('get-token');
  if (at < 0) return { kind: 'other' };
  const kubelogin = args.slice(0, at).includes('oidc-login') || KUBELOGIN_COMMAND.test(basename(command));
  return { kind: kubelogin ? 'kubelogin' : 'kube-login', getTokenArgs: args.slice(at + 1) };
}

/**
 * Whether the stanza runs kube-login's (or kubelogin's) get-token, so that its args are ours to read:
 * the command is kube-login, kubectl-kube_login, kubelogin or kubectl-oidc_login; or kubectl with the
 * plugin name (`kubectl oidc-login get-token`); or a runtime running the kube-login script. A stanza
 * whose args merely contain `get-token` (`aws eks get-token`) is somebody else's.
 */
export function runsKubeLogin(command: string, args: readonly string[]): ExecProgram {
  const program = execProgram(command, args);
  if (program.kind === 'other') return program;
  const name = basename(command.replaceAll('\\', '/'));
  const before = args.slice(0, args.indexOf('get-token'));
  if (KUBE_LOGIN_COMMAND.test(name) || KUBELOGIN_COMMAND.test(name)) return program;
  if (/^kubectl(\.exe)?$/.test(name) && (before[0] === 'oidc-login' || before[0] === 'kube-login' || before[0] === 'kube_login')) return program;
  if (before.some((arg) => KUBE_LOGIN_SCRIPT.test(basename(arg.replaceAll('\\', '/'))))) return program;
  return { kind: 'other' };
}

/** exec.env as variables, or why kubectl would refuse it (an entry without a name is a validation error). */
export function execEnvVars(env: unknown): { ok: true; vars: Record<string, string> } | { ok: false; problem: 'not-a-list' | 'no-name' } {
  const vars: Record<string, string> = {};
  if (env === undefined || env === null) return { ok: true, vars };
  if (!Array.isArray(env)) return { ok: false, problem: 'not-a-list' };
  for (const item of env as unknown[]) {
    const name = typeof item === 'object' && item !== null ? (item as Record<string, unknown>)['name'] : undefined;
    if (typeof name !== 'string' || name === '') return { ok: false, problem: 'no-name' };
    const value = (item as Record<string, unknown>)['value'];
    vars[name] = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  }
  return { ok: true, vars };
}
