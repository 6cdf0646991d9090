// The input of `kube-login setup`, the values it cannot run without, and the defaults of the rest.
import type { ClaimMappingOptions } from '../../apiserver/claim-mapping-rules.js';
import type { KubernetesVersion } from '../../apiserver/kubernetes-version.js';
import type { RawGetTokenFlags } from '../../config/get-token-flags.js';
import { KubeLoginError } from '../../errors.js';

/** Everything setup was given on the command line; the get-token flags stay raw (they go into the exec args). */
export interface SetupInput {
  readonly raw: RawGetTokenFlags;
  readonly kubeconfig?: string | undefined;
  readonly cluster?: string | undefined;
  readonly server?: string | undefined;
  readonly clusterCertificateAuthority?: string | undefined;
  readonly context?: string | undefined;
  readonly user?: string | undefined;
  readonly namespace?: string | undefined;
  readonly setCurrentContext: boolean;
  readonly mapping: ClaimMappingOptions;
  readonly kubernetesVersion?: KubernetesVersion | undefined;
  readonly rbac: { readonly clusterRole?: string | undefined; readonly group?: string | undefined; readonly clusterWide: boolean };
  readonly dryRun: boolean;
  readonly yes: boolean;
  /** --offline: no provider checks and no test login; the kubeconfig is written from the flags. */
  readonly offline?: boolean;
}

/** A value setup needs and the flag that gives it. */
export interface MissingValue {
  readonly flag: string;
  readonly what: string;
}

/** The values that have no default: issuer, client ID, and which cluster. */
export function missingValues(input: SetupInput): MissingValue[] {
  const missing: MissingValue[] = [];
  if (!input.raw.strings['oidc-issuer-url']) missing.push({ flag: '--oidc-issuer-url URL', what: 'the issuer URL of the provider' });
  if (!input.raw.strings['oidc-client-id']) missing.push({ flag: '--oidc-client-id ID', what: 'the client ID registered at the provider' });
  if (input.cluster === undefined && input.server === undefined) {
    missing.push({ flag: '--cluster NAME (a cluster of the kubeconfig) or --server URL', what: 'the cluster' });
  }
  return missing;
}

/** The error for missing values without a terminal (or with --yes): every flag to pass, never a prompt. */
export function missingValuesError(missing: readonly MissingValue[], reason: 'no-terminal' | 'yes'): KubeLoginError {
  const why = reason === 'yes' ? '--yes forbids questions' : 'there is no terminal to ask on';
  return new KubeLoginError('usage', 'run setup', `${why}, and these values are missing: ${missing.map((m) => m.flag).join('; ')}`, {
    fix: `pass ${missing.map((m) => m.flag).join(', ')} (run \`kube-login setup\` in a terminal, without --yes, to be asked)`,
  });
}

/**
 * Why `name` cannot be a namespace, or undefined: namespaces are DNS-1123 labels (Kubernetes "Object
 * Names and IDs": at most 63 lowercase letters, digits and '-', starting and ending alphanumeric).
 */
export function namespaceProblem(name: string): string | undefined {
  if (name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return undefined;
  return `${JSON.stringify(name)} is not a namespace name: ${NAMESPACE_RULE}`;
}

const NAMESPACE_RULE = "a namespace is a DNS-1123 label, at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit";

/** Checks the flag combinations that no answer can fix. */
export function validateSetupFlags(input: SetupInput): void {
  const namespace = input.namespace === undefined ? undefined : namespaceProblem(input.namespace);
  if (namespace !== undefined) {
    throw new KubeLoginError('usage', `use --namespace ${JSON.stringify(input.namespace)}`, `it is not a namespace name: ${NAMESPACE_RULE}`, {
      fix: 'pass a namespace that exists in the cluster, for example --namespace team-a',
    });
  }
  if (input.clusterCertificateAuthority !== undefined && input.server === undefined) {
    throw new KubeLoginError('usage', 'read --cluster-certificate-authority', 'it is the CA of a new cluster, and no --server was given', {
      fix: 'pass --server URL with it, or drop it to use an existing --cluster',
    });
  }
  if (input.server !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(input.server);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      throw new KubeLoginError('usage', `use --server ${JSON.stringify(input.server)}`, 'it is not an http(s) URL', { fix: 'pass the API server URL, for example --server https://203.0.113.10:6443' });
    }
  }
}

/** A kubeconfig-friendly name part: letters, digits, `.`, `_` and `-`. */
function namePart(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'oidc';
}

/** Default user name: `oidc-<issuer host>-<client id>`, one per provider client. */
export function defaultUserName(issuerUrl: string, clientId: string): string {
  let host = issuerUrl;
  try {
    host = new URL(issuerUrl).host;
  } catch {
    // keep the raw text
  }
  return `oidc-${namePart(host)}-${namePart(clientId)}`;
}

/** Default context name: `oidc@<cluster>`, kubectl's user@cluster convention. */
export function defaultContextName(cluster: string): string {
  return `oidc@${cluster}`;
}

/** Default name of a cluster added with --server: its host and port. */
export function defaultClusterName(server: string): string {
  try {
    return namePart(new URL(server).host);
  } catch {
    return 'cluster';
  }
}

/** The default ClusterRole of the suggested binding: `view`, read-only. */
export const DEFAULT_RBAC_CLUSTER_ROLE = 'view';
