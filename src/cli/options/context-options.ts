// --context and --kubeconfig, shared by the commands that act on a kubeconfig context (status, login,
// logout, doctor), and how they combine with the get-token flags scripts pass instead.
import { homedir } from 'node:os';
import { type Command, Option } from 'commander';
import { type GetTokenInput, toGetTokenInput } from '../../config/get-token-input.js';
import type { CliContext } from '../context.js';
import type { RawGetTokenFlags } from '../../config/get-token-flags.js';
import { KubeLoginError } from '../../errors.js';
import { addGetTokenOptions, rawFlagsFrom } from './get-token-options.js';

/** The help heading of the get-token flags on context commands. */
export const GET_TOKEN_HELP_GROUP = 'Get-token flags (for scripts, instead of --context: the exec args of one configuration):';

/**
 * Get-token flags that only change how this run behaves, never which configuration (cache key, provider,
 * storage) it is about: they may be given with a context and apply on top of its exec args.
 */
export const PER_RUN_FLAGS: ReadonlySet<string> = new Set([
  'verbose',
  'skip-open-browser',
  'browser-command',
  'authentication-timeout-sec',
  'grant-type',
  'listen-address',
  'oidc-auth-request-extra-params',
  'force-refresh',
  'password',
]);

/** Adds --context and --kubeconfig, then the get-token flags under their own heading. */
export function addContextOptions(command: Command, verb: string): Command {
  command
    .addOption(new Option('--context <name>', `the kubeconfig context to ${verb} (default: the current context)`))
    .addOption(new Option('--kubeconfig <file>', 'the kubeconfig file (default: KUBECONFIG, then ~/.kube/config, as kubectl)'));
  return command;
}

/** Adds the get-token flags under their own heading (call after the command's own options). */
export function addScriptFlags(command: Command): Command {
  return addGetTokenOptions(command, undefined, GET_TOKEN_HELP_GROUP);
}

/** What a context command is about: a kubeconfig context (with per-run flags on top), or get-token flags. */
export type Target = { kind: 'context'; context?: string; kubeconfig?: string; raw: RawGetTokenFlags } | { kind: 'flags'; raw: RawGetTokenFlags };

/** The configuration flags given (those that are not per-run). */
export function configurationFlagsGiven(raw: RawGetTokenFlags): string[] {
  const names = [...Object.keys(raw.strings), ...Object.keys(raw.lists), ...Object.keys(raw.booleans).filter((name) => raw.booleans[name] === true)];
  return [...new Set(names)].filter((name) => !PER_RUN_FLAGS.has(name));
}

/** Reads the target; giving both a context and configuration flags is a usage error that names both. */
export function targetOf(command: Command, name: string): Target {
  const options = command.opts<{ context?: string; kubeconfig?: string }>();
  const raw = rawFlagsFrom(command);
  const configuration = configurationFlagsGiven(raw);
  const contextFlags = [options.context !== undefined ? '--context' : '', options.kubeconfig !== undefined ? '--kubeconfig' : ''].filter(Boolean);
  if (configuration.length > 0 && contextFlags.length > 0) {
    throw new KubeLoginError('usage', `run ${name}`, `${contextFlags.join(' and ')} and the get-token flag${configuration.length > 1 ? 's' : ''} ${configuration.map((flag) => `--${flag}`).join(', ')} were both given`, {
      fix: `give one or the other: --context NAME (its exec args give the flags), or only the get-token flags of one configuration`,
    });
  }
  if (configuration.length > 0) return { kind: 'flags', raw };
  return { kind: 'context', ...(options.context !== undefined ? { context: options.context } : {}), ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), raw };
}

/** The per-run flags of `overrides` applied over a context's parsed exec args (extra params excepted: they are for the login request only). */
export function applyPerRunFlags(base: RawGetTokenFlags, overrides: RawGetTokenFlags): RawGetTokenFlags {
  const merged: RawGetTokenFlags = { strings: { ...base.strings }, lists: { ...base.lists }, booleans: { ...base.booleans } };
  for (const name of PER_RUN_FLAGS) {
    if (name === 'oidc-auth-request-extra-params') continue;
    if (overrides.strings[name] !== undefined) merged.strings[name] = overrides.strings[name];
    if (overrides.lists[name] !== undefined) merged.lists[name] = overrides.lists[name];
    if (overrides.booleans[name] !== undefined) merged.booleans[name] = overrides.booleans[name];
  }
  return merged;
}

/** What a context command resolves to: the get-token input, the context it came from, and the plugin's environment. */
export interface ResolvedTarget {
  input: GetTokenInput;
  context?: string;
  /** exec.env of the context's user (empty for get-token flags). */
  env: Record<string, string>;
}

/** Resolves the target of status, login or logout into a validated get-token input (lazily reading the kubeconfig). */
export async function resolveTarget(target: Target, ctx: CliContext): Promise<ResolvedTarget> {
  if (target.kind === 'flags') return { input: toGetTokenInput(target.raw, ctx.env, homedir()), env: {} };
  const { resolveContextLogin } = await import('../../compose/kubeconfig-context.js');
  const login = await resolveContextLogin(ctx, target, (raw) => applyPerRunFlags(raw, target.raw));
  return { input: login.input, context: login.context, env: login.env };
}
