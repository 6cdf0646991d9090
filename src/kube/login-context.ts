// The login configuration of a kubeconfig context: its user's exec stanza, checked to run kube-login
// (or kubelogin, whose get-token flags kube-login takes), its args turned into a GetTokenInput by the
// same parser and validation get-token uses, with the stanza's env applied as kubectl applies it.
import { type GetTokenInput, toGetTokenInput } from '../config/get-token-input.js';
import { parseGetTokenArgv } from '../config/parse-argv.js';
import type { RawGetTokenFlags } from '../config/get-token-flags.js';
import { KubeLoginError, isKubeLoginError } from '../errors.js';
import { execEnvVars, runsKubeLogin } from './exec-stanza.js';
import type { KubeconfigSet } from './kubeconfig-entries.js';
import { type ResolvedContext, contextNames, lookupContext } from './kubeconfig-context.js';
import { currentContext } from './kubeconfig-entries.js';

/** A context whose user runs kube-login (or kubelogin) get-token, and what that run would be given. */
export interface ContextLogin {
  kind: 'login';
  context: string;
  user: string;
  /** `kubelogin` when the stanza runs kubelogin with flags kube-login takes as they are. */
  program: 'kube-login' | 'kubelogin';
  /** The get-token args of the stanza, parsed (overrides are applied on top of these). */
  raw: RawGetTokenFlags;
  input: GetTokenInput;
  /** exec.env: kubectl gives the plugin its own environment plus these (SPECS.md A.4). */
  env: Record<string, string>;
}

/** What a context is to kube-login: a login, another kind of user (never an error), or a kube-login user we cannot use. */
export type ContextReading =
  | ContextLogin
  | { kind: 'not-kube-login'; context: string; user: string | undefined; reason: string }
  | { kind: 'unusable'; context: string; user: string | undefined; error: KubeLoginError };

/** Applied over the stanza's parsed args before validation (flags a command line may add for one run). */
export type RawOverride = (raw: RawGetTokenFlags) => RawGetTokenFlags;

const doctorFix = (context: string): string => `run \`kube-login doctor --context ${context}\` to see what is wrong with its exec stanza`;

/** Reads one resolved context (no I/O). `baseEnv` is the environment kubectl would run the plugin with. */
export function readContext(resolved: ResolvedContext, baseEnv: NodeJS.ProcessEnv, home: string, override?: RawOverride): ContextReading {
  const context = resolved.name;
  const user = resolved.user.name;
  const exec = resolved.exec;
  if (!exec) {
    const kinds = ['token', 'tokenFile', 'client-certificate', 'client-certificate-data', 'auth-provider', 'username'].filter((field) => resolved.user.body[field] !== undefined);
    return { kind: 'not-kube-login', context, user, reason: `its user ${user} has no exec stanza${kinds.length > 0 ? ` (it uses ${kinds.join(', ')})` : ''}` };
  }
  const command = typeof exec['command'] === 'string' ? exec['command'] : '';
  const args = Array.isArray(exec['args']) && exec['args'].every((arg) => typeof arg === 'string') ? (exec['args'] as string[]) : undefined;
  const program = runsKubeLogin(command, args ?? []);
  if (program.kind === 'other') {
    return { kind: 'not-kube-login', context, user, reason: `its user ${user} runs ${JSON.stringify([command, ...(args ?? [])].slice(0, 3).join(' '))}, not kube-login get-token` };
  }
  const unusable = (reason: string): ContextReading => ({
    kind: 'unusable',
    context,
    user,
    error: new KubeLoginError('kubeconfig', `use the context ${JSON.stringify(context)}`, reason, { fix: doctorFix(context) }),
  });
  const env = execEnvVars(exec['env']);
  if (!env.ok) return unusable(`the exec env of user ${user} is not a list of named {name, value} entries, which kubectl refuses`);
  const parsed = parseGetTokenArgv(program.getTokenArgs);
  if (!parsed) return unusable(`the exec args of user ${user} are not get-token flags kube-login understands`);
  const raw = override ? override(parsed) : parsed;
  try {
    const input = toGetTokenInput(raw, { ...baseEnv, ...env.vars }, home);
    return { kind: 'login', context, user, program: program.kind, raw, input, env: env.vars };
  } catch (error) {
    if (!isKubeLoginError(error)) throw error;
    return unusable(`the exec args of user ${user} do not validate: ${error.reason}`);
  }
}

/** The login of one context (the current one when `name` is undefined); throws KubeLoginError('kubeconfig'). */
export function contextLogin(set: KubeconfigSet, name: string | undefined, baseEnv: NodeJS.ProcessEnv, home: string, override?: RawOverride): ContextLogin {
  if (set.files.every((file) => !file.exists)) {
    throw new KubeLoginError('kubeconfig', 'find the kubeconfig context', `there is no kubeconfig at ${set.location.paths.join(', ')}`, {
      fix: 'pass --kubeconfig FILE, set KUBECONFIG, or run `kube-login setup`; scripts may pass the get-token flags instead',
    });
  }
  const found = lookupContext(set, name);
  if (!found.ok) throw new KubeLoginError('kubeconfig', 'find the kubeconfig context', found.reason, { fix: found.fix });
  const reading = readContext(found.context, baseEnv, home, override);
  if (reading.kind === 'login') return reading;
  if (reading.kind === 'unusable') throw reading.error;
  throw new KubeLoginError('kubeconfig', `use the context ${JSON.stringify(reading.context)}`, `${reading.reason}, so it has no kube-login session`, {
    fix: 'pass --context with a context whose user runs kube-login (`kube-login status --all` lists them), or run `kube-login setup` for this one',
  });
}

/** Every context of the kubeconfigs, in kubectl's order, each read as readContext does; never throws for a context. */
export function everyContext(set: KubeconfigSet, baseEnv: NodeJS.ProcessEnv, home: string): ContextReading[] {
  return contextNames(set).map((name) => {
    const found = lookupContext(set, name);
    if (found.ok) return readContext(found.context, baseEnv, home);
    return { kind: 'not-kube-login' as const, context: name, user: undefined, reason: found.reason };
  });
}

/** The effective current-context name, if any. */
export function currentContextName(set: KubeconfigSet): string | undefined {
  return currentContext(set)?.name;
}
