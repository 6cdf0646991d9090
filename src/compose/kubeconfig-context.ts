// Reads the kubeconfigs (as kubectl finds them) for the commands that act on a context: the one place
// the read-only commands load a kubeconfig, and the resolution of a context into its login configuration.
import { homedir } from 'node:os';
import type { CliContext } from '../cli/context.js';
import type { RawGetTokenFlags } from '../config/get-token-flags.js';
import { loadKubeconfigsReadOnly } from '../kube/kubeconfig-load.js';
import type { KubeconfigSet } from '../kube/kubeconfig-entries.js';
import { locateKubeconfigs } from '../kube/kubeconfig-paths.js';
import { type ContextLogin, type ContextReading, contextLogin, currentContextName, everyContext } from '../kube/login-context.js';

/** Loads the kubeconfig files of --kubeconfig, KUBECONFIG or ~/.kube/config, for reading only (anchors resolved as kubectl does). */
export function readKubeconfigs(env: NodeJS.ProcessEnv, explicitPath: string | undefined): Promise<KubeconfigSet> {
  return loadKubeconfigsReadOnly(locateKubeconfigs({ explicitPath, env }));
}

/** Which context, in which kubeconfig. */
export interface ContextSelector {
  context?: string;
  kubeconfig?: string;
}

/** The login configuration of the selected context (default: the current one); throws KubeLoginError. */
export async function resolveContextLogin(ctx: CliContext, selector: ContextSelector, override?: (raw: RawGetTokenFlags) => RawGetTokenFlags): Promise<ContextLogin> {
  const set = await readKubeconfigs(ctx.env, selector.kubeconfig);
  return contextLogin(set, selector.context, ctx.env, homedir(), override);
}

/** Every context of the kubeconfigs, read for status --all. */
export async function readEveryContext(ctx: CliContext, kubeconfig: string | undefined): Promise<{ paths: readonly string[]; current: string | undefined; contexts: ContextReading[] }> {
  const set = await readKubeconfigs(ctx.env, kubeconfig);
  return { paths: set.location.paths, current: currentContextName(set), contexts: everyContext(set, ctx.env, homedir()) };
}

/**
 * A CliContext whose environment is the plugin's: kubectl runs get-token with its own environment plus
 * the stanza's exec.env (SPECS.md A.4). One-shot commands also adopt it into process.env, because the
 * browser command and the HTTP client's proxy settings read process.env.
 */
export function withExecEnv(ctx: CliContext, vars: Record<string, string>): CliContext {
  for (const [name, value] of Object.entries(vars)) process.env[name] = value;
  return { ...ctx, env: { ...ctx.env, ...vars } };
}
