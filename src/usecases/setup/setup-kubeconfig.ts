// The kubeconfig entries setup adds: the exec user, the cluster (existing or new) and the context.
import { dirname, isAbsolute, resolve } from 'node:path';
import { KubeLoginError } from '../../errors.js';
import {
  type ExecUserInput,
  type KubeconfigEntry,
  type KubeconfigSet,
  type UpsertResult,
  findEntry,
  listEntries,
  setCurrentContext,
  upsertCluster,
  upsertContext,
  upsertExecUser,
} from '../../kube/kubeconfig.js';

/** The cluster the context points at: an entry that exists, or a new one from --server. */
export type ClusterChoice =
  | { readonly kind: 'existing'; readonly name: string }
  | { readonly kind: 'new'; readonly name: string; readonly server: string; readonly certificateAuthorityData?: string | undefined };

/** What setup writes. */
export interface KubeconfigRequest {
  readonly user: string;
  readonly context: string;
  readonly cluster: ClusterChoice;
  readonly namespace?: string | undefined;
  readonly setCurrentContext: boolean;
  readonly exec: ExecUserInput;
}

/** One line of the summary: what happened to which entry, in which file. */
export interface EntryChange {
  readonly what: 'user' | 'cluster' | 'context' | 'current-context';
  readonly name: string;
  readonly result: UpsertResult;
}

/** Applies the request to the loaded files (in memory); nothing is written here. */
export function applyKubeconfigRequest(set: KubeconfigSet, request: KubeconfigRequest): EntryChange[] {
  const changes: EntryChange[] = [];
  if (request.cluster.kind === 'new') {
    const { name, server, certificateAuthorityData } = request.cluster;
    changes.push({ what: 'cluster', name, result: upsertCluster(set, name, { server, certificateAuthorityData }) });
  } else if (findEntry(set, 'clusters', request.cluster.name) === undefined) {
    throw unknownCluster(set, request.cluster.name);
  }
  changes.push({ what: 'user', name: request.user, result: upsertExecUser(set, request.user, request.exec) });
  changes.push({
    what: 'context',
    name: request.context,
    result: upsertContext(set, request.context, { cluster: request.cluster.name, user: request.user, namespace: request.namespace }),
  });
  if (request.setCurrentContext) {
    changes.push({ what: 'current-context', name: request.context, result: setCurrentContext(set, request.context) });
  }
  return changes;
}

/** The usage error for `--cluster NAME` that the kubeconfig does not have, listing the ones it has. */
export function unknownCluster(set: KubeconfigSet, name: string): KubeLoginError {
  const known = listEntries(set, 'clusters').map((entry) => entry.name);
  return new KubeLoginError('usage', `use the cluster ${JSON.stringify(name)}`, `the kubeconfig (${set.location.paths.join(', ')}) has no cluster of that name${known.length > 0 ? `; it has ${known.join(', ')}` : ''}`, {
    fix: 'pass --cluster with one of those names, or add a new cluster with --server URL (and --cluster-certificate-authority FILE)',
  });
}

/** A summary line per entry change. */
export function describeEntryChange(change: EntryChange): string {
  const { result } = change;
  if (change.what === 'current-context') {
    return result.action === 'unchanged' ? `  current-context is already ${change.name}` : `  set current-context to ${change.name} (${result.path})`;
  }
  const verb = result.action === 'added' ? 'added' : result.action === 'updated' ? 'updated' : 'kept (already up to date)';
  const removed = result.removed.length > 0 ? `; removed ${result.removed.join(', ')}, which cannot be combined with exec` : '';
  return `  ${verb} ${change.what} ${change.name} (${result.path})${removed}`;
}

/** Where the cluster is reached, for the version probe and the prompts. */
export interface ClusterEndpoint {
  readonly name: string;
  readonly server: string;
  readonly certificateAuthorityData?: string;
  readonly certificateAuthority?: string;
  readonly insecureSkipTlsVerify: boolean;
}

/** The endpoint of a merged cluster entry; a relative CA path is relative to its kubeconfig file, as in kubectl. */
export function clusterEndpoint(entry: KubeconfigEntry): ClusterEndpoint | undefined {
  const body = entry.body;
  const server = body['server'];
  if (typeof server !== 'string') return undefined;
  const data = body['certificate-authority-data'];
  const file = body['certificate-authority'];
  return {
    name: entry.name,
    server,
    ...(typeof data === 'string' ? { certificateAuthorityData: data } : {}),
    ...(typeof file === 'string' ? { certificateAuthority: isAbsolute(file) ? file : resolve(dirname(entry.path), file) } : {}),
    insecureSkipTlsVerify: body['insecure-skip-tls-verify'] === true,
  };
}
