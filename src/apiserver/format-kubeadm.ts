// `--format kubeadm`: the ClusterConfiguration fields for kube-apiserver (SPECS.md D, kubeadm).
import { DEFAULT_AUTHENTICATION_CONFIG_PATH, apiserverWiring, requireUniqueArgNames, sameCaPath } from './apiserver-wiring.js';
import type { ApiserverArg } from './flag-args.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';
import { kubeadmApiVersionFor } from './kubeadm-api-version.js';
import { type KubeadmExtraVolume, kubeadmFileVolume, kubeadmMountCoverage } from './kubeadm-mounts.js';
import { formatKubernetesVersion } from './kubernetes-version.js';
import { type Notice, note } from './notice.js';
import { toYamlText } from './yaml-text.js';

/** A ClusterConfiguration holding only `apiServer.extraArgs` and, when needed, `apiServer.extraVolumes`. */
export function renderKubeadm(ctx: FormatContext): GeneratedConfig {
  const apiVersion = kubeadmApiVersionFor(ctx.version, ctx.kubeadmApiVersion);
  const wiring = apiserverWiring(ctx, 'kubeadm', { caPath: sameCaPath, configPath: DEFAULT_AUTHENTICATION_CONFIG_PATH });
  if (apiVersion === 'v1beta3') {
    requireUniqueArgNames(wiring.args, 'kubeadm.k8s.io/v1beta3', 'use --via authentication-config (claimValidationRules), or kubeadm.k8s.io/v1beta4 (Kubernetes 1.31+), whose extraArgs list can repeat a flag');
  }
  const notices: Notice[] = [...wiring.notices];
  const extraVolumes: KubeadmExtraVolume[] = [];
  for (const file of wiring.files) {
    const coverage = kubeadmMountCoverage(file.apiserverPath);
    if (coverage === 'none') {
      extraVolumes.push(kubeadmFileVolume(file.purpose, file.apiserverPath));
    } else if (coverage === 'if-present') {
      notices.push(note(`${file.apiserverPath} is visible to kube-apiserver only because kubeadm mounts its directory when it exists on the host; keep that directory`));
    }
    notices.push(note(`put ${file.purpose === 'oidc-ca' ? 'the CA' : 'the AuthenticationConfiguration'} at ${file.apiserverPath} on every control-plane node before kubeadm init or upgrade`));
  }
  const apiServer: Record<string, unknown> = { extraArgs: extraArgsFor(apiVersion, wiring.args) };
  if (extraVolumes.length > 0) apiServer['extraVolumes'] = extraVolumes;
  const document = { apiVersion: `kubeadm.k8s.io/${apiVersion}`, kind: 'ClusterConfiguration', apiServer };
  notices.push(note('merge apiServer into your ClusterConfiguration; on a running cluster run kubeadm init phase control-plane apiserver --config <file> on each control-plane node (or edit /etc/kubernetes/manifests/kube-apiserver.yaml)'));
  const content = toYamlText(document, {
    header: [`kube-apiserver OIDC settings for kubeadm.k8s.io/${apiVersion} (Kubernetes ${formatKubernetesVersion(ctx.version)})`],
  });
  return { content, notices };
}

/** v1beta4: a list of {name, value} (a flag may repeat); v1beta3: a map. */
export function extraArgsFor(apiVersion: 'v1beta3' | 'v1beta4', args: readonly ApiserverArg[]): unknown {
  if (apiVersion === 'v1beta4') return args.map((arg) => ({ name: arg.name, value: arg.value }));
  return Object.fromEntries(args.map((arg) => [arg.name, arg.value]));
}
