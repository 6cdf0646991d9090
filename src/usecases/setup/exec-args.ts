// The exec stanza setup writes: `kube-login get-token` with the user's get-token flags.
import { isAbsolute, resolve } from 'node:path';
import { GET_TOKEN_FLAGS, type FlagSpec, type RawGetTokenFlags } from '../../config/get-token-flags.js';
import { expandHome } from '../../platform/expand-home.js';

/** The command kubectl runs; kubectl resolves it on PATH (installHint tells what to do when it is not there). */
export const EXEC_COMMAND = 'kube-login';

/** Shown by kubectl when `kube-login` is not on PATH (client-go prints it after "executable … not found"). */
export const INSTALL_HINT = [
  'kube-login is the OIDC login plugin this kubeconfig user needs, and it is not on your PATH.',
  'Install it with one of:',
  '',
  '    kubectl krew install --manifest=kube-login.krew.yaml   (from a kube-login release)',
  '    npm install --global kube-login',
  '',
  'or download a release archive for your platform (README, Install),',
  'then run the kubectl command again (or ask the person who set up this cluster).',
  '',
].join('\n');

// One-shot flags that make no sense on every kubectl call, and the secrets, which a kubeconfig must
// never hold (get-token asks for the password; setup refuses --oidc-client-secret before this).
const NOT_CARRIED: ReadonlySet<string> = new Set(['force-refresh', 'verbose', 'password', 'oidc-client-secret']);

// Paths are made absolute: kubectl starts the plugin in whatever directory the user is in.
const PATH_FLAGS: ReadonlySet<string> = new Set(['certificate-authority', 'token-cache-dir', 'oidc-client-secret-file']);

/** What the exec args hold and leave out. */
export interface ExecArgs {
  readonly args: string[];
  /** Flags given to setup that are not written into the kubeconfig. */
  readonly dropped: string[];
}

/** `get-token` plus every get-token flag given, as `--name=value` (kubectl passes args verbatim, no shell). */
export function buildExecArgs(raw: RawGetTokenFlags, paths: { readonly cwd: string; readonly home: string }): ExecArgs {
  const args = ['get-token'];
  const dropped: string[] = [];
  for (const flag of GET_TOKEN_FLAGS) {
    const given = valuesOf(raw, flag);
    if (given === undefined) continue;
    if (NOT_CARRIED.has(flag.name)) {
      dropped.push(`--${flag.name}`);
      continue;
    }
    if (flag.kind === 'boolean') {
      if (given[0] === 'true') args.push(`--${flag.name}`);
      continue;
    }
    for (const value of given) {
      const text = PATH_FLAGS.has(flag.name) ? absolutePath(value, paths) : value;
      args.push(`--${flag.name}=${text}`);
    }
  }
  return { args, dropped };
}

function valuesOf(raw: RawGetTokenFlags, flag: FlagSpec): string[] | undefined {
  if (flag.kind === 'boolean') {
    const value = raw.booleans[flag.name];
    return value === undefined ? undefined : [String(value)];
  }
  if (flag.kind === 'string') {
    const value = raw.strings[flag.name];
    return value === undefined || value === '' ? undefined : [value];
  }
  const values = raw.lists[flag.name];
  return values === undefined || values.length === 0 ? undefined : values;
}

function absolutePath(value: string, paths: { readonly cwd: string; readonly home: string }): string {
  if (value === '~' || value.startsWith('~/')) return expandHome(value, paths.home);
  return isAbsolute(value) ? value : resolve(paths.cwd, value);
}
