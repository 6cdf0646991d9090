// The host paths kubeadm already mounts into kube-apiserver (kubeadm controlplane/volumes.go, SPECS.md D).
import { posix } from 'node:path';

/** Mounted always: the certificates dir (default /etc/kubernetes/pki, read-only) and /etc/ssl/certs. */
export const KUBEADM_ALWAYS_MOUNTED: readonly string[] = ['/etc/kubernetes/pki', '/etc/ssl/certs'];

/** Mounted only when the directory exists on the host. */
export const KUBEADM_MOUNTED_IF_PRESENT: readonly string[] = [
  '/etc/pki/ca-trust',
  '/etc/pki/tls/certs',
  '/etc/ca-certificates',
  '/usr/share/ca-certificates',
  '/usr/local/share/ca-certificates',
];

/** Whether kubeadm's own volumes make `path` visible to kube-apiserver: always, if the dir exists, or not. */
export function kubeadmMountCoverage(path: string): 'always' | 'if-present' | 'none' {
  const normalized = posix.normalize(path);
  const under = (dir: string): boolean => normalized === dir || normalized.startsWith(`${dir}/`);
  if (KUBEADM_ALWAYS_MOUNTED.some(under)) return 'always';
  if (KUBEADM_MOUNTED_IF_PRESENT.some(under)) return 'if-present';
  return 'none';
}

/** A kubeadm `apiServer.extraVolumes` entry (same shape in v1beta3 and v1beta4). */
export interface KubeadmExtraVolume {
  name: string;
  hostPath: string;
  mountPath: string;
  readOnly: true;
  pathType: 'File';
}

/** A read-only single-file hostPath volume at the same path inside the pod. */
export function kubeadmFileVolume(name: string, path: string): KubeadmExtraVolume {
  return { name, hostPath: path, mountPath: path, readOnly: true, pathType: 'File' };
}
