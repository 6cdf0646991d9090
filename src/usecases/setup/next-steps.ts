// The "next steps" setup prints: the API server configuration (built by src/apiserver, the same code as
// `kube-login apiserver-config`), a least-privilege RBAC binding, and the command that proves it works.
import type { CertificateAuthority } from '../../apiserver/certificate-authority.js';
import type { ClaimMappingOptions } from '../../apiserver/claim-mapping-rules.js';
import { renderFormat } from '../../apiserver/formats.js';
import type { FormatName } from '../../apiserver/format-names.js';
import { kubectlCreateBindingCommand } from '../../apiserver/kubectl-command.js';
import { type KubernetesVersion, formatKubernetesVersion, isAtLeast } from '../../apiserver/kubernetes-version.js';
import type { Notice } from '../../apiserver/notice.js';
import { buildOidcMapping } from '../../apiserver/oidc-mapping.js';
import { type BindingSpec, type RbacSubject, defaultBindingName, validateBindingSpec } from '../../apiserver/rbac-binding.js';
import { shellQuote } from '../../apiserver/shell-quote.js';
import { describe } from '../../errors.js';

/** Where the provider CA goes on control-plane hosts when the flags name it (kubeadm mounts /etc/kubernetes/pki). */
export const APISERVER_CA_PATH = '/etc/kubernetes/pki/oidc-ca.crt';

/** Everything the next steps are built from. */
export interface NextStepsInput {
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly mapping: ClaimMappingOptions;
  /** The provider CA (--certificate-authority), when the provider has a private CA. */
  readonly providerCa: CertificateAuthority | undefined;
  /** The control plane version, when known (--kubernetes-version, or the cluster's /version). */
  readonly version: KubernetesVersion | undefined;
  /** The user and groups kube-apiserver will see, from the test login. */
  readonly username: string | undefined;
  /** --offline: there was no test login, so nothing is cached and the username is not known. */
  readonly offline?: boolean;
  readonly groupsPrefix: string;
  readonly rbac: { readonly clusterRole: string; readonly group?: string | undefined; readonly clusterWide: boolean; readonly namespace: string };
  readonly context: string;
  /** `--kubeconfig FILE` when it is not the default location, for the kubectl commands. */
  readonly kubeconfigArgs: readonly string[];
}

/** The next steps as text for stderr. */
export function renderNextSteps(input: NextStepsInput): string {
  const out: string[] = ['Next steps', ''];
  out.push(...apiserverStep(input), '');
  out.push(...rbacStep(input), '');
  const kubectl = ['kubectl', ...input.kubeconfigArgs, '--context', input.context, 'auth', 'whoami'].map(shellQuote).join(' ');
  out.push(
    input.offline
      ? '3. Check that it works (kubectl runs kube-login, which opens the browser to log in the first time):'
      : '3. Check that it works (kubectl runs kube-login, which uses the token cached by this setup):',
    '',
    `   ${kubectl}`,
    '',
  );
  return out.join('\n');
}

function apiserverStep(input: NextStepsInput): string[] {
  const version = input.version;
  // AuthenticationConfiguration from 1.30 (beta, on by default); the --oidc-* flags otherwise.
  const format: FormatName = version !== undefined && isAtLeast(version, 30) ? 'authentication-config' : 'flags';
  const versionText = version === undefined ? 'version unknown' : `Kubernetes ${formatKubernetesVersion(version)}`;
  const equivalent = apiserverConfigCommand(input);
  let body: string[];
  let head: string;
  try {
    const mapping = buildOidcMapping({ issuerUrl: input.issuerUrl, clientIds: [input.clientId], ...input.mapping }, input.providerCa);
    const generated = renderFormat(format, {
      mapping,
      // Without a known version, the flags work everywhere; the file needs at least 1.30.
      version: version ?? { major: 1, minor: 29 },
      via: 'oidc-flags',
      cwd: '/',
      ...(input.providerCa !== undefined ? { apiserverCaPath: APISERVER_CA_PATH } : {}),
    });
    head =
      format === 'authentication-config'
        ? `1. Configure kube-apiserver (cluster admin; ${versionText}): save this AuthenticationConfiguration on every control-plane host`
        : `1. Configure kube-apiserver (cluster admin; ${versionText}): add these flags to kube-apiserver`;
    body = [...indent(generated.content.trimEnd().split('\n'), '   '), ''];
    if (input.providerCa !== undefined && format === 'flags') {
      body.push(`   Copy the provider CA ${input.providerCa.localPath} to ${APISERVER_CA_PATH} on each control-plane host.`);
    }
    body.push(...noticeLines(generated.notices), '');
    body.push(
      version === undefined
        ? '   The cluster version could not be read; on Kubernetes 1.30+ an AuthenticationConfiguration file is better: pass --kubernetes-version to setup, or run:'
        : '   For kubeadm, kind, k3s, rke2, minikube or EKS, print the matching form with:',
    );
  } catch (error) {
    head = `1. Configure kube-apiserver (cluster admin; ${versionText})`;
    body = [`   kube-login cannot write the API server configuration yet: ${describe(error)}`, '   Once that is fixed, print it with:'];
  }
  return [head, '', ...body, '', ...indent(equivalent.split('\n'), '     ')];
}

/** `kube-login apiserver-config` with the same mapping, for the distribution-specific formats. */
function apiserverConfigCommand(input: NextStepsInput): string {
  const args = ['kube-login', 'apiserver-config', `--oidc-issuer-url=${input.issuerUrl}`, `--oidc-client-id=${input.clientId}`];
  const { mapping } = input;
  if (mapping.usernameClaim !== undefined) args.push(`--username-claim=${mapping.usernameClaim}`);
  if (mapping.usernamePrefix !== undefined) args.push(`--username-prefix=${mapping.usernamePrefix}`);
  if (mapping.groupsClaim !== undefined) args.push(`--groups-claim=${mapping.groupsClaim}`);
  if (mapping.groupsPrefix !== undefined) args.push(`--groups-prefix=${mapping.groupsPrefix}`);
  if (input.providerCa !== undefined) args.push(`--ca-file=${input.providerCa.localPath}`);
  if (input.version !== undefined) args.push(`--kubernetes-version=${formatKubernetesVersion(input.version)}`);
  args.push('--format=kubeadm');
  if (input.version !== undefined && isAtLeast(input.version, 30)) args.push('--via=authentication-config');
  return args.map(shellQuote).join(' ');
}

/** A RoleBinding in the namespace unless --rbac-cluster-wide: least privilege by default. */
function rbacStep(input: NextStepsInput): string[] {
  const { rbac } = input;
  const subjects: RbacSubject[] = [];
  const rawNames: string[] = [];
  if (rbac.group !== undefined) {
    subjects.push({ kind: 'Group', name: input.groupsPrefix + rbac.group });
    rawNames.push(rbac.group);
  } else if (input.username !== undefined) {
    subjects.push({ kind: 'User', name: input.username });
    rawNames.push(input.username.replace(/^.*#/, ''));
  }
  const scope = rbac.clusterWide ? 'everywhere (ClusterRoleBinding)' : `in the namespace ${rbac.namespace} (RoleBinding)`;
  const head = `2. Grant access (cluster admin): the ClusterRole ${rbac.clusterRole} ${scope}`;
  if (subjects.length === 0) {
    const why = input.offline
      ? '   --offline: there was no test login, so the username is not known; pass --rbac-group, or after the first login run:'
      : '   No username could be mapped from the test login; fix the username claim first, then run:';
    return [head, '', why, '', '     kube-login rbac --help'];
  }
  const spec: BindingSpec = {
    clusterWide: rbac.clusterWide,
    name: defaultBindingName(rbac.clusterRole, subjects, rawNames),
    namespace: rbac.clusterWide ? undefined : rbac.namespace,
    roleRef: { kind: 'ClusterRole', name: rbac.clusterRole },
    subjects,
  };
  try {
    validateBindingSpec(spec);
  } catch (error) {
    return [head, '', `   ${describe(error)}`];
  }
  const lines = [head, '', ...indent(kubectlCreateBindingCommand(spec).trimEnd().split('\n'), '   ')];
  if (!rbac.clusterWide) lines.push('', '   (setup --rbac-cluster-wide prints a ClusterRoleBinding instead; kube-login rbac prints the YAML.)');
  return lines;
}

function noticeLines(notices: readonly Notice[]): string[] {
  return notices.map((notice) => `   ${notice.level === 'warning' ? 'warning' : 'note'}: ${notice.text}${notice.fix === undefined ? '' : ` (fix: ${notice.fix})`}`);
}

function indent(lines: readonly string[], prefix: string): string[] {
  return lines.map((line) => (line === '' ? '' : prefix + line));
}
