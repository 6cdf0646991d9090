// Finds what kubectl would use for a context: the context, its cluster and its user, each with the
// kubeconfig file that defines it (relative paths in an entry are relative to that file's directory).
import { dirname, isAbsolute, join } from 'node:path';
import { type KubeconfigEntry, type KubeconfigSet, currentContext, isRecord, listEntries } from '../../kube/kubeconfig-entries.js';
import { type DoctorCheck, fail, pass } from './check.js';

/** How doctor reaches the cluster: the fields of `clusters[].cluster` it uses. */
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

/** The context doctor checks. */
export interface ResolvedContext {
  name: string;
  user: KubeconfigEntry;
  cluster: ClusterEndpoint | undefined;
  /** The exec stanza, as written (not validated). */
  exec: Record<string, unknown> | undefined;
}

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

/** Resolves `name` (or the current-context) in the loaded kubeconfigs: the context, or a ✗ check saying what is missing. */
export function resolveContext(set: KubeconfigSet, name: string | undefined): { context: ResolvedContext; check: DoctorCheck } | { check: DoctorCheck } {
  const files = set.location.paths.join(', ');
  const contexts = listEntries(set, 'contexts');
  const chosen = name ?? currentContext(set)?.name;
  if (chosen === undefined) {
    const known = contexts.map((context) => context.name);
    return {
      check: fail(
        'kubeconfig',
        `the kubeconfig (${files}) has no current-context${known.length > 0 ? `; its contexts are ${known.join(', ')}` : ' and no contexts'}`,
        known.length > 0 ? 'pass --context NAME' : 'run `kube-login setup` to add a context, or pass --kubeconfig FILE',
      ),
    };
  }
  const context = contexts.find((entry) => entry.name === chosen);
  if (!context) {
    const known = contexts.map((entry) => entry.name);
    return {
      check: fail('kubeconfig', `the kubeconfig (${files}) has no context ${JSON.stringify(chosen)}${known.length > 0 ? `; it has ${known.join(', ')}` : ''}`, 'pass --context with one of those names, or --kubeconfig FILE'),
    };
  }
  const userName = str(context.body['user']);
  const clusterName = str(context.body['cluster']);
  const user = userName === undefined ? undefined : listEntries(set, 'users').find((entry) => entry.name === userName);
  if (!user) {
    return {
      check: fail(
        'kubeconfig',
        userName === undefined ? `the context ${JSON.stringify(chosen)} names no user` : `the context ${JSON.stringify(chosen)} names the user ${JSON.stringify(userName)}, which no kubeconfig file defines`,
        'run `kube-login setup` for this context, or add the user with `kubectl config set-credentials`',
      ),
    };
  }
  const clusterEntry = clusterName === undefined ? undefined : listEntries(set, 'clusters').find((entry) => entry.name === clusterName);
  const cluster = clusterEntry ? clusterEndpoint(clusterEntry) : undefined;
  const exec = isRecord(user.body['exec']) ? user.body['exec'] : undefined;
  const where = `in ${context.path}`;
  const clusterText = clusterEntry ? `cluster ${clusterEntry.name}${cluster ? ` at ${cluster.server}` : ' (no server)'}` : `cluster ${clusterName ?? '(none)'} (not defined)`;
  return {
    context: { name: chosen, user, cluster, exec },
    check: pass('kubeconfig', `context ${JSON.stringify(chosen)} ${where}: user ${user.name}, ${clusterText}`),
  };
}
