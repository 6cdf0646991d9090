// The output format names of `apiserver-config`, apart from their renderers so the CLI can list them cheaply.

/** Every format name, in help order. */
export const FORMAT_NAMES = ['flags', 'authentication-config', 'kubeadm', 'kind', 'k3s', 'rke2', 'minikube', 'eks'] as const;

/** One format name. */
export type FormatName = (typeof FORMAT_NAMES)[number];

/** True for a known format name. */
export function isFormatName(value: string): value is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(value);
}
