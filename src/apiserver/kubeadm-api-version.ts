// Which kubeadm config API a control plane version takes (SPECS.md D: v1beta4 from 1.31, v1beta3 removed in 1.36).
import { KubeLoginError } from '../errors.js';
import { type KubernetesVersion, formatKubernetesVersion, isAtLeast } from './kubernetes-version.js';

/** `kubeadm.k8s.io/v1beta3` (extraArgs is a map) or `/v1beta4` (extraArgs is a list of {name, value}). */
export type KubeadmApiVersion = 'v1beta3' | 'v1beta4';

/** True for a kubeadm API version name. */
export function isKubeadmApiVersion(value: string): value is KubeadmApiVersion {
  return value === 'v1beta3' || value === 'v1beta4';
}

/**
 * v1beta4 from 1.31 (PR #125029), v1beta3 below; v1beta3 can still be asked for until 1.35 and was
 * removed in kubeadm 1.36 (PR #136016). v1beta3 itself appeared in 1.22.
 */
export function kubeadmApiVersionFor(version: KubernetesVersion, requested?: KubeadmApiVersion): KubeadmApiVersion {
  const v = formatKubernetesVersion(version);
  if (requested === 'v1beta4' && !isAtLeast(version, 31)) {
    throw new KubeLoginError('usage', `use kubeadm.k8s.io/v1beta4 with Kubernetes ${v}`, 'kubeadm reads v1beta4 from 1.31 on', {
      fix: 'use --kubeadm-api-version v1beta3, or a control plane of 1.31 or later',
    });
  }
  if (requested === 'v1beta3' && isAtLeast(version, 36)) {
    throw new KubeLoginError('usage', `use kubeadm.k8s.io/v1beta3 with Kubernetes ${v}`, 'kubeadm 1.36 removed v1beta3', {
      fix: 'use --kubeadm-api-version v1beta4 (kubeadm 1.35 can convert old files: kubeadm config migrate)',
    });
  }
  const chosen = requested ?? (isAtLeast(version, 31) ? 'v1beta4' : 'v1beta3');
  if (chosen === 'v1beta3' && !isAtLeast(version, 22)) {
    throw new KubeLoginError('usage', `write a kubeadm configuration for Kubernetes ${v}`, 'kube-login writes kubeadm.k8s.io/v1beta3 or v1beta4, which kubeadm reads from 1.22 on', {
      fix: 'use --format flags and edit the kube-apiserver manifest, or upgrade the control plane',
    });
  }
  return chosen;
}
