// `--format kind`: a kind Cluster with kubeadmConfigPatches and node extraMounts (SPECS.md D, kind).
import { apiserverWiring, requireUniqueArgNames } from './apiserver-wiring.js';
import type { FormatContext, GeneratedConfig } from './generated-config.js';
import { type KubeadmExtraVolume, kubeadmFileVolume, kubeadmMountCoverage } from './kubeadm-mounts.js';
import { type Notice, note } from './notice.js';
import { toYamlText } from './yaml-text.js';

/** Inside the node, files go under /etc/kubernetes/pki, which kubeadm always mounts into kube-apiserver. */
export const KIND_CA_PATH = '/etc/kubernetes/pki/oidc-ca.crt';
/** Where the node (and kube-apiserver) sees the AuthenticationConfiguration. */
export const KIND_AUTHENTICATION_CONFIG_PATH = '/etc/kubernetes/pki/authentication-config.yaml';

/**
 * The patch has no apiVersion on purpose: kind applies a patch only when its apiVersion is empty or
 * equal to the generated one, and converts map-style extraArgs to the v1beta4 list itself
 * (kind pkg/internal/patch, SPECS.md D). So extraArgs stays a map, which cannot repeat a flag.
 */
export function renderKind(ctx: FormatContext): GeneratedConfig {
  const wiring = apiserverWiring(ctx, 'kind', {
    caPath: () => KIND_CA_PATH,
    configPath: 'authentication-config.yaml',
    configApiserverPath: KIND_AUTHENTICATION_CONFIG_PATH,
    resolveLocalPaths: true,
  });
  requireUniqueArgNames(wiring.args, 'kind (kubeadmConfigPatches)', 'use --via authentication-config: its claimValidationRules take any number of required claims');
  const notices: Notice[] = [...wiring.notices];
  const extraMounts: Array<{ hostPath: string; containerPath: string; readOnly: true }> = [];
  const extraVolumes: KubeadmExtraVolume[] = [];
  for (const file of wiring.files) {
    extraMounts.push({ hostPath: file.localPath ?? file.apiserverPath, containerPath: file.apiserverPath, readOnly: true });
    if (kubeadmMountCoverage(file.apiserverPath) !== 'always') extraVolumes.push(kubeadmFileVolume(file.purpose, file.apiserverPath));
  }
  const apiServer: Record<string, unknown> = { extraArgs: Object.fromEntries(wiring.args.map((arg) => [arg.name, arg.value])) };
  if (extraVolumes.length > 0) apiServer['extraVolumes'] = extraVolumes;
  const patch = toYamlText({ kind: 'ClusterConfiguration', apiServer });
  const node: Record<string, unknown> = { role: 'control-plane', kubeadmConfigPatches: [patch] };
  if (extraMounts.length > 0) node['extraMounts'] = extraMounts;
  const cluster = { kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', nodes: [node] };
  notices.push(note('create the cluster with: kind create cluster --config <this file>; with several control-plane nodes, repeat the patch and mounts on each'));
  if (extraMounts.length > 0) notices.push(note('kind mounts the host files when the node container starts: they must exist before kind create cluster'));
  const content = toYamlText(cluster, { literalPaths: [['nodes', 0, 'kubeadmConfigPatches', 0]] });
  return { content, notices };
}
