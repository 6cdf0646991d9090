// Kubernetes minor versions: parsing `--kubernetes-version` and the feature gates that depend on it.
import { KubeLoginError } from '../errors.js';

/** A Kubernetes release as `1.<minor>`; patch releases do not change any gate we apply. */
export interface KubernetesVersion {
  readonly major: 1;
  readonly minor: number;
}

/** The newest release read for SPECS.md (1.36.3): the default of `--kubernetes-version`. */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = { major: 1, minor: 36 };

/** Parses `1.34`, `v1.34`, `1.34.2` or `v1.34.2-eks-1`; anything else is a usage error quoting the value. */
export function parseKubernetesVersion(text: string): KubernetesVersion {
  const match = /^v?1\.(\d{1,3})(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?$/.exec(text.trim());
  if (!match?.[1]) {
    throw new KubeLoginError('usage', 'read --kubernetes-version', `"${text}" is not a Kubernetes version`, {
      fix: 'give the control plane version as 1.MINOR, for example --kubernetes-version 1.34',
    });
  }
  return { major: 1, minor: Number(match[1]) };
}

/** `1.34` for messages and file comments. */
export function formatKubernetesVersion(version: KubernetesVersion): string {
  return `${version.major}.${version.minor}`;
}

/** True when `version` is at least `1.<minor>`. */
export function isAtLeast(version: KubernetesVersion, minor: number): boolean {
  return version.minor >= minor;
}
