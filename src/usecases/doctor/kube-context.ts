// Doctor's view of the context: kube/kubeconfig-context.ts resolves it; this file turns the result into a check.
import type { KubeconfigSet } from '../../kube/kubeconfig-entries.js';
import { type ResolvedContext, lookupContext } from '../../kube/kubeconfig-context.js';
import { type DoctorCheck, fail, pass } from './check.js';

export { type ClusterEndpoint, type ResolvedContext, resolveEntryPath } from '../../kube/kubeconfig-context.js';

/** Resolves `name` (or the current-context) in the loaded kubeconfigs: the context, or a ✗ check saying what is missing. */
export function resolveContext(set: KubeconfigSet, name: string | undefined): { context: ResolvedContext; check: DoctorCheck } | { check: DoctorCheck } {
  const found = lookupContext(set, name);
  if (!found.ok) return { check: fail('kubeconfig', found.reason, found.fix) };
  const { context } = found;
  const clusterText = context.clusterDefined
    ? `cluster ${context.clusterName}${context.cluster ? ` at ${context.cluster.server}` : ' (no server)'}`
    : `cluster ${context.clusterName ?? '(none)'} (not defined)`;
  return { context, check: pass('kubeconfig', `context ${JSON.stringify(context.name)} in ${context.path}: user ${context.user.name}, ${clusterText}`) };
}
