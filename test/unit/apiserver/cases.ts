// The apiserver-config inputs the golden and structure tests share.
import { parseKubernetesVersion } from '../../../src/apiserver/kubernetes-version.js';
import type { ApiserverConfigInput } from '../../../src/usecases/apiserver-config.js';
import { TEST_CA_PEM } from './fakes.js';

/** The issuer of every case. */
export const ISSUER = 'https://idp.example.com/realms/main';

/** Files the fake ports serve: the CA at a control-plane path and at a path beside the kind/minikube config. */
export const CASE_FILES: Record<string, string> = {
  '/etc/kubernetes/pki/oidc-ca.crt': TEST_CA_PEM,
  '/opt/oidc/ca.pem': TEST_CA_PEM,
  'ca.pem': TEST_CA_PEM,
};

/** A full mapping: email usernames with a prefix, prefixed groups, one required claim, a CA. */
export function baseInput(overrides: Omit<Partial<ApiserverConfigInput>, 'version'> & { version?: string | ApiserverConfigInput['version'] } = {}): ApiserverConfigInput {
  const { version, ...rest } = overrides;
  return {
    mapping: {
      issuerUrl: ISSUER,
      clientIds: ['kubernetes'],
      usernameClaim: 'email',
      usernamePrefix: 'oidc:',
      groupsClaim: 'groups',
      groupsPrefix: 'oidc:',
      requiredClaims: ['hd=example.com'],
    },
    caFile: '/etc/kubernetes/pki/oidc-ca.crt',
    format: 'authentication-config',
    via: 'oidc-flags',
    version: typeof version === 'string' ? parseKubernetesVersion(version) : (version ?? parseKubernetesVersion('1.36')),
    offline: true,
    cwd: '/home/admin/cluster',
    ...rest,
  };
}

/** One golden case: a name (the golden file) and its input. */
export interface GoldenCase {
  readonly name: string;
  readonly input: ApiserverConfigInput;
}

const sub = { issuerUrl: ISSUER, clientIds: ['kubernetes', 'kubectl'], groupsClaim: 'groups', groupsPrefix: 'oidc:' };

/** Every format, the version boundaries 1.29/1.30/1.33/1.34, and kubeadm v1beta3/v1beta4. */
export const GOLDEN_CASES: readonly GoldenCase[] = [
  { name: 'flags-1.29', input: baseInput({ format: 'flags', version: '1.29' }) },
  { name: 'flags-1.36', input: baseInput({ format: 'flags' }) },
  { name: 'flags-default-prefix', input: baseInput({ format: 'flags', mapping: { issuerUrl: ISSUER, clientIds: ['kubernetes'] }, caFile: undefined }) },
  { name: 'flags-via-authentication-config', input: baseInput({ format: 'flags', via: 'authentication-config' }) },
  { name: 'authentication-config-1.30', input: baseInput({ version: '1.30' }) },
  { name: 'authentication-config-1.33', input: baseInput({ version: '1.33' }) },
  { name: 'authentication-config-1.34', input: baseInput({ version: '1.34' }) },
  { name: 'authentication-config-multiple-audiences', input: baseInput({ mapping: sub, caFile: undefined }) },
  { name: 'authentication-config-email-no-prefix', input: baseInput({ mapping: { issuerUrl: ISSUER, clientIds: ['kubernetes'], usernameClaim: 'email' }, caFile: undefined }) },
  { name: 'kubeadm-1.30-v1beta3', input: baseInput({ format: 'kubeadm', version: '1.30' }) },
  { name: 'kubeadm-1.31-v1beta4', input: baseInput({ format: 'kubeadm', version: '1.31' }) },
  { name: 'kubeadm-1.35-v1beta3-requested', input: baseInput({ format: 'kubeadm', version: '1.35', kubeadmApiVersion: 'v1beta3' }) },
  { name: 'kubeadm-1.36-ca-outside-mounts', input: baseInput({ format: 'kubeadm', caFile: '/opt/oidc/ca.pem' }) },
  { name: 'kubeadm-1.36-via-authentication-config', input: baseInput({ format: 'kubeadm', via: 'authentication-config' }) },
  { name: 'kind', input: baseInput({ format: 'kind', caFile: 'ca.pem', version: '1.34' }) },
  { name: 'kind-via-authentication-config', input: baseInput({ format: 'kind', via: 'authentication-config', authenticationConfigPath: 'auth/authentication-config.yaml' }) },
  { name: 'k3s', input: baseInput({ format: 'k3s', caFile: '/opt/oidc/ca.pem' }) },
  { name: 'rke2', input: baseInput({ format: 'rke2', caFile: '/opt/oidc/ca.pem' }) },
  { name: 'rke2-via-authentication-config', input: baseInput({ format: 'rke2', via: 'authentication-config' }) },
  { name: 'minikube', input: baseInput({ format: 'minikube', caFile: 'ca.pem' }) },
  { name: 'minikube-via-authentication-config', input: baseInput({ format: 'minikube', via: 'authentication-config' }) },
  { name: 'eks', input: baseInput({ format: 'eks', caFile: undefined, eksClusterName: 'prod' }) },
  { name: 'eks-default-cluster-name', input: baseInput({ format: 'eks', caFile: undefined, mapping: { issuerUrl: ISSUER, clientIds: ['kubernetes'] } }) },
];
