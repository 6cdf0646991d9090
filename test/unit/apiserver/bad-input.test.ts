// Bad input: each case is one clear KubeLoginError, and nothing is written.
import { describe, expect, it } from 'vitest';
import { isKubeLoginError } from '../../../src/errors.js';
import { parseKubernetesVersion } from '../../../src/apiserver/kubernetes-version.js';
import { apiserverConfig, type ApiserverConfigInput } from '../../../src/usecases/apiserver-config.js';
import { CASE_FILES, ISSUER, baseInput } from './cases.js';
import { fakeApiserverConfigDeps } from './fakes.js';

async function failure(input: ApiserverConfigInput, files: Record<string, string> = CASE_FILES) {
  const { deps, captured } = fakeApiserverConfigDeps({ files });
  const error: unknown = await apiserverConfig(deps, { ...input, output: '/out/config.yaml' }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  // Never a partial output: nothing reached stdout or the output file.
  expect(captured.written.size).toBe(0);
  expect(captured.stdout).toBe('');
  if (!isKubeLoginError(error)) throw new Error(`expected a KubeLoginError, got ${String(error)}`);
  return error;
}

const withMapping = (mapping: Partial<ApiserverConfigInput['mapping']>, rest: Partial<ApiserverConfigInput> = {}): ApiserverConfigInput =>
  baseInput({ ...rest, mapping: { ...baseInput().mapping, ...mapping } });

describe('apiserver-config refuses bad input', () => {
  it('an http issuer', async () => {
    const error = await failure(withMapping({ issuerUrl: 'http://idp.example.com' }));
    expect(error.code).toBe('usage');
    expect(error.message).toBe('could not use "http://idp.example.com" as --oidc-issuer-url: URL scheme must be https (kube-apiserver accepts only https issuers and would not start)');
    expect(error.fix).toMatch(/https/);
  });

  it('an issuer with a query, even an empty one', async () => {
    for (const issuerUrl of [`${ISSUER}?tenant=a`, `${ISSUER}?`]) {
      const error = await failure(withMapping({ issuerUrl }));
      expect(error.reason).toBe('URL must not contain a query');
    }
  });

  it('an issuer with a fragment or user:password', async () => {
    expect((await failure(withMapping({ issuerUrl: `${ISSUER}#x` }))).reason).toBe('URL must not contain a fragment');
    expect((await failure(withMapping({ issuerUrl: 'https://u:p@idp.example.com' }))).reason).toBe('URL must not contain a username or password');
    expect((await failure(withMapping({ issuerUrl: 'idp.example.com' }))).reason).toBe('it is not an absolute URL');
  });

  it('the system: prefix, for users and for groups', async () => {
    const user = await failure(withMapping({ usernamePrefix: 'system:' }));
    expect(user.message).toBe('could not use "system:" as --username-prefix: the system: prefix is reserved for Kubernetes system users and groups, so provider identities must never get it');
    expect(user.fix).toBe('choose a prefix of your own, for example --username-prefix oidc:');
    const group = await failure(withMapping({ groupsPrefix: 'system:masters-' }));
    expect(group.action).toBe('use "system:masters-" as --groups-prefix');
  });

  it('an unknown signing algorithm, with kube-apiserver\'s own message', async () => {
    const error = await failure(withMapping({ signingAlgs: ['RS256,HS256'] }));
    expect(error.message).toBe('could not read --signing-algs: oidc: unsupported signing alg: "HS256"');
    expect(error.fix).toContain('ES256, ES384, ES512, PS256, PS384, PS512, RS256, RS384, RS512');
  });

  it('authentication-config for Kubernetes 1.29, pointing to --format flags', async () => {
    const error = await failure(baseInput({ version: parseKubernetesVersion('1.29') }));
    expect(error.message).toBe('could not write an AuthenticationConfiguration for Kubernetes 1.29: structured authentication configuration needs kube-apiserver 1.30 or later (it is alpha and disabled by default in 1.29)');
    expect(error.fix).toContain('--format flags');
    // The same gate applies to distributions wired through the file.
    const kubeadm = await failure(baseInput({ format: 'kubeadm', via: 'authentication-config', version: parseKubernetesVersion('1.29') }));
    expect(kubeadm.reason).toContain('needs kube-apiserver 1.30');
  });

  it('an unreadable CA file (missing, or a directory)', async () => {
    const missing = await failure(baseInput({ caFile: '/nonexistent/ca.pem' }));
    expect(missing.message).toBe("could not read the CA file /nonexistent/ca.pem: ENOENT: no such file or directory, open '/nonexistent/ca.pem'");
    expect(missing.fix).toContain('--ca-file');
    const notPem = await failure(baseInput(), { '/etc/kubernetes/pki/oidc-ca.crt': 'hello' });
    expect(notPem.message).toBe('could not use /etc/kubernetes/pki/oidc-ca.crt as the provider CA: the file holds no PEM certificate');
    const broken = await failure(baseInput(), { '/etc/kubernetes/pki/oidc-ca.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' });
    expect(broken.reason).toMatch(/^a certificate in it cannot be parsed/);
  });

  it('kubeadm version gates: v1beta4 before 1.31, v1beta3 from 1.36', async () => {
    const early = await failure(baseInput({ format: 'kubeadm', version: parseKubernetesVersion('1.30'), kubeadmApiVersion: 'v1beta4' }));
    expect(early.reason).toBe('kubeadm reads v1beta4 from 1.31 on');
    const late = await failure(baseInput({ format: 'kubeadm', version: parseKubernetesVersion('1.36'), kubeadmApiVersion: 'v1beta3' }));
    expect(late.reason).toBe('kubeadm 1.36 removed v1beta3');
  });

  it('a repeated flag where arguments are a map (kubeadm v1beta3, kind, minikube)', async () => {
    const twoClaims = { requiredClaims: ['hd=example.com', 'tier=gold'] };
    for (const input of [
      withMapping(twoClaims, { format: 'kubeadm', version: parseKubernetesVersion('1.30') }),
      withMapping(twoClaims, { format: 'kind', caFile: 'ca.pem' }),
      withMapping(twoClaims, { format: 'minikube', caFile: 'ca.pem' }),
    ]) {
      const error = await failure(input);
      expect(error.reason).toMatch(/as a map, so --oidc-required-claim can only be given once$/);
      expect(error.fix).toContain('--via authentication-config');
    }
  });

  it('several client IDs with the flags, which take one', async () => {
    for (const format of ['flags', 'kubeadm', 'k3s', 'eks'] as const) {
      const error = await failure(withMapping({ clientIds: ['a', 'b'] }, { format, caFile: format === 'eks' ? undefined : '/etc/kubernetes/pki/oidc-ca.crt' }));
      expect(error.reason).toBe('the --oidc-client-id flag of kube-apiserver takes exactly one audience');
    }
  });

  it('missing or duplicate client IDs, malformed or duplicate required claims, a groups prefix alone', async () => {
    expect((await failure(withMapping({ clientIds: [] }))).action).toBe('read --oidc-client-id');
    expect((await failure(withMapping({ clientIds: ['a', 'a'] }))).reason).toContain('given twice');
    expect((await failure(withMapping({ requiredClaims: ['novalue'] }))).reason).toBe('"novalue" is not key=value');
    expect((await failure(withMapping({ requiredClaims: ['a=1', 'a=2'] }))).reason).toBe('the claim "a" is given twice');
    expect((await failure(withMapping({ groupsClaim: undefined }))).reason).toBe('a groups prefix was given without --groups-claim');
  });

  it('relative apiserver paths for host-based formats', async () => {
    const error = await failure(baseInput({ format: 'kubeadm', caFile: 'ca.pem' }));
    expect(error.reason).toContain('absolute path of the CA on the control-plane host');
    expect((await failure(baseInput({ format: 'k3s', via: 'authentication-config', authenticationConfigPath: 'auth.yaml' }))).reason).toBe('kube-apiserver needs an absolute path on the control-plane host');
  });

  it('eks with an AuthenticationConfiguration', async () => {
    expect((await failure(baseInput({ format: 'eks', via: 'authentication-config', caFile: undefined }))).reason).toBe('EKS does not take an AuthenticationConfiguration file');
  });
});
