// What every format produces and what it is given.
import type { KubeadmApiVersion } from './kubeadm-api-version.js';
import type { KubernetesVersion } from './kubernetes-version.js';
import type { Notice } from './notice.js';
import type { OidcMapping } from './oidc-mapping.js';

/** How kube-apiserver gets the mapping: `--oidc-*` flags, or `--authentication-config` and a file. */
export type ApiserverWiring = 'oidc-flags' | 'authentication-config';

/** The inputs of a format besides the mapping; paths are absolute or undefined (format default). */
export interface FormatContext {
  readonly mapping: OidcMapping;
  readonly version: KubernetesVersion;
  readonly via: ApiserverWiring;
  /** Where kube-apiserver reads the CA (--apiserver-ca-path). */
  readonly apiserverCaPath?: string;
  /** Where the AuthenticationConfiguration file is (kind and minikube: the file on this machine). */
  readonly authenticationConfigPath?: string;
  readonly kubeadmApiVersion?: KubeadmApiVersion;
  readonly eksClusterName?: string;
  readonly eksConfigName?: string;
  /** The working directory, to make local paths absolute (kind mounts and minikube copies need them). */
  readonly cwd: string;
}

/** A format's output: `content` for stdout or --output (always a valid file), notices for stderr. */
export interface GeneratedConfig {
  readonly content: string;
  readonly notices: readonly Notice[];
}
