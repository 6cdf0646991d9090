// Finds what kubectl would use for a context: the context, its cluster and its user, each with the
// kubeconfig file that defines it (relative paths in an entry are relative to that file's directory).
import { dirname, isAbsolute, join } from 'node:path';
import { type KubeconfigEntry, type KubeconfigSet, currentContext, isRecord, listEntries } from './kubeconfig-entries.js';

/** How kubectl reaches the cluster: the fields of `clusters[].cluster` kube-login uses. */
export interface ClusterEndpoint {
  name: string;
  server: string;
  /** PEM of `certificate-authority-data`, or the path of `certificate-authority` (resolved). */
  certificateAuthorityData?: string;
  certificateAuthorityFile?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
}

/** A context as kubectl resolves it. */
export interface ResolvedContext {
  name: string;
  user: KubeconfigEntry;
  /** The cluster entry's name, whether or not a file defines it. */
  clusterName: string | undefined;
  /** Undefined when the cluster is not defined or has no server. */
  cluster: ClusterEndpoint | undefined;
  /** True when a kubeconfig file defines the named cluster. */
  clusterDefined: boolean;
  /** The file that defines the context. */
  path: string;
  /** The exec stanza, as written (not validated). */
  exec: Record<string, unknown> | undefined;
}

/** The context, or why there is none, with the fix. */
export type ContextLookup = { ok: true; context: ResolvedContext } | { ok: false; reason: string; fix: string };

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The path of a file reference of an entry, as client-go resolves it (relative to the entry's file). */
export function resolveEntryPath(value: string, entryFile: string): string {
  return isAbsolute(value) ? value : join(dirname(entryFile), value);
}

function clusterEndpoint(entry: KubeconfigEntry): ClusterEndpoint | undefined {
  const server = str(entry.body['server']);
  if (!server) return undefined;
  const data = str(entry.body['certificate-authority-data']);
  const file = str(entry.body['certificate-authority']);
  const tlsServerName = str(entry.body['tls-server-name']);
  const proxyUrl = str(entry.body['proxy-url']);
  return {
    name: entry.name,
    server,
    ...(data ? { certificateAuthorityData: Buffer.from(data, 'base64').toString('utf8') } : {}),
    ...(!data && file ? { certificateAuthorityFile: resolveEntryPath(file, entry.path) } : {}),
    insecureSkipTlsVerify: entry.body['insecure-skip-tls-verify'] === true,
    ...(tlsServerName ? { tlsServerName } : {}),
    ...(proxyUrl ? { proxyUrl } : {}),
  };
}

/** The names of every context, in kubectl's merge order. */
export function contextNames(set: KubeconfigSet): string[] {
  return listEntries(set, 'contexts').map((entry) => entry.name);
}

/** Resolves `name` (or the current-context) in the loaded kubeconfigs, as kubectl does. */
export function lookupContext(set: KubeconfigSet, name: string | undefined): ContextLookup {
  const files = set.location.paths.join(', ');
  const contexts = listEntries(set, 'contexts');
  const known = contexts.map((entry) => entry.name);
  const chosen = name ?? currentContext(set)?.name;
  if (chosen === undefined) {
    return {
      ok: false,
      reason: `the kubeconfig (${files}) has no current-context${known.length > 0 ? `; its contexts are ${known.join(', ')}` : ' and no contexts'}`,
      fix: known.length > 0 ? 'pass --context NAME' : 'run `kube-login setup` to add a context, or pass --kubeconfig FILE',
    };
  }
  const context = contexts.find((entry) => entry.name === chosen);
  if (!context) {
    return {
      ok: false,
      reason: `the kubeconfig (${files}) has no context ${JSON.stringify(chosen)}${known.length > 0 ? `; it has ${known.join(', ')}` : ''}`,
      fix: 'pass --context with one of those names, or --kubeconfig FILE',
    };
  }
  const userName = str(context.body['user']);
  const clusterName = str(context.body['cluster']);
  const user = userName === undefined ? undefined : listEntries(set, 'users').find((entry) => entry.name === userName);
  if (!user) {
    return {
      ok: false,
      reason:
        userName === undefined
          ? `the context ${JSON.stringify(chosen)} names no user`
          : `the context ${JSON.stringify(chosen)} names the user ${JSON.stringify(userName)}, which no kubeconfig file defines`,
      fix: 'run `kube-login setup` for this context, or add the user with `kubectl config set-credentials`',
    };
  }
  const clusterEntry = clusterName === undefined ? undefined : listEntries(set, 'clusters').find((entry) => entry.name === clusterName);
  return {
    ok: true,
    context: {
      name: chosen,
      user,
      clusterName,
      cluster: clusterEntry ? clusterEndpoint(clusterEntry) : undefined,
      clusterDefined: clusterEntry !== undefined,
      path: context.path,
      exec: isRecord(user.body['exec']) ? user.body['exec'] : undefined,
    },
  };
}
