// The small pieces of setup: provider checks, exec args, next steps, the cluster version reader.
import { describe, expect, it } from 'vitest';
import { parseVersionInfo } from '../../../src/kube/cluster-version.js';
import { buildExecArgs } from '../../../src/usecases/setup/exec-args.js';
import { renderNextSteps } from '../../../src/usecases/setup/next-steps.js';
import { checkIssuerScheme, checkPkce, checkRefreshAdvertised, checkSigningAlgs, checkTokenAlg, formatCheck } from '../../../src/usecases/setup/provider-checks.js';
import { defaultClusterName, defaultUserName } from '../../../src/usecases/setup/setup-input.js';
import { fakeIdToken } from './fakes.js';

describe('provider checks', () => {
  it('allows plain http only on loopback, with a warning', () => {
    expect(formatCheck(checkIssuerScheme('http://127.0.0.1:5556/dex'))).toBe(
      '  ✓ the issuer uses plain http on a loopback address (127.0.0.1:5556) (warning: only for testing: kube-apiserver accepts only https issuers)',
    );
    expect(checkIssuerScheme('http://localhost:8080').status).toBe('pass');
    expect(checkIssuerScheme('http://dex.internal').status).toBe('fail');
    expect(checkIssuerScheme('not a url')).toMatchObject({ status: 'fail', code: 'usage' });
  });

  it('accepts PKCE that is not advertised (not refused), refuses a list without S256', () => {
    expect(formatCheck(checkPkce({}))).toBe(
      '  ✓ PKCE is not advertised (code_challenge_methods_supported is absent) (warning: kube-login sends S256 anyway; the test login shows whether the provider accepts it)',
    );
    expect(checkPkce({ code_challenge_methods_supported: ['plain', 'S256'] }).status).toBe('pass');
    expect(checkPkce({ code_challenge_methods_supported: [] }).text).toBe('PKCE S256 is not supported (code_challenge_methods_supported: nothing)');
  });

  it('leaves refresh tokens to the test login when offline_access is not advertised', () => {
    expect(checkRefreshAdvertised({ scopes_supported: ['openid', 'email', 'profile'] }).status).toBe('pending');
    expect(formatCheck(checkRefreshAdvertised({}))).toMatch(/^ {2}… refresh tokens:/);
  });

  it("accepts any of kube-apiserver's 9 algorithms", () => {
    expect(checkSigningAlgs({ id_token_signing_alg_values_supported: ['HS256', 'ES256'] }).text).toBe('ID tokens are signed with ES256, which kube-apiserver accepts');
    expect(checkSigningAlgs({}).status).toBe('fail');
    const hs256 = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.e30.c2ln`;
    expect(checkTokenAlg(hs256).status).toBe('fail');
    expect(checkTokenAlg(fakeIdToken({})).text).toBe("the test login's ID token is signed with RS256");
  });
});

describe('buildExecArgs', () => {
  it('writes each flag as --name=value in the flag table order, booleans bare, --no-login kept', () => {
    const { args, dropped } = buildExecArgs(
      {
        strings: { 'oidc-client-id': 'k', 'oidc-issuer-url': 'https://i', 'token-cache-dir': '~/cache', 'force-refresh': 'x' },
        lists: { 'oidc-auth-request-extra-params': ['access_type=offline', 'prompt=consent'], 'certificate-authority-data': ['QUJD'] },
        booleans: { 'no-login': true, 'insecure-skip-tls-verify': false, 'force-refresh': true },
      },
      { cwd: '/work', home: '/home/u' },
    );
    expect(args).toEqual([
      'get-token',
      '--oidc-issuer-url=https://i',
      '--oidc-client-id=k',
      '--oidc-auth-request-extra-params=access_type=offline',
      '--oidc-auth-request-extra-params=prompt=consent',
      '--no-login',
      '--token-cache-dir=/home/u/cache',
      '--certificate-authority-data=QUJD',
    ]);
    expect(dropped).toEqual(['--force-refresh']);
  });
});

describe('names', () => {
  it('derives kubeconfig names from the issuer, client and server', () => {
    expect(defaultUserName('https://keycloak.example.com/realms/main', 'kubernetes')).toBe('oidc-keycloak.example.com-kubernetes');
    expect(defaultUserName('https://login.microsoftonline.com/t/v2.0', '0f5c 1/x')).toBe('oidc-login.microsoftonline.com-0f5c-1-x');
    expect(defaultClusterName('https://[2001:db8::1]:6443')).toBe('2001-db8-1-6443');
  });
});

describe('renderNextSteps', () => {
  const base = {
    issuerUrl: 'https://idp.example.com',
    clientId: 'kubernetes',
    mapping: { usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' },
    providerCa: undefined,
    username: 'jane@example.com',
    groupsPrefix: 'oidc:',
    context: 'oidc@prod',
    kubeconfigArgs: ['--kubeconfig', '/tmp/my config'],
  };

  it('prints the --oidc-* flags when the version is unknown, and quotes the kubeconfig path', () => {
    const text = renderNextSteps({ ...base, version: undefined, rbac: { clusterRole: 'view', clusterWide: false, namespace: 'default' } });
    expect(text).toContain('   --oidc-issuer-url=https://idp.example.com\n   --oidc-client-id=kubernetes\n   --oidc-username-claim=email\n');
    expect(text).toContain('The cluster version could not be read');
    expect(text).toContain("   kubectl --kubeconfig '/tmp/my config' --context oidc@prod auth whoami\n");
  });

  it('binds a group cluster-wide when asked', () => {
    const text = renderNextSteps({ ...base, version: { major: 1, minor: 34 }, rbac: { clusterRole: 'edit', group: 'platform', clusterWide: true, namespace: 'default' } });
    expect(text).toContain('apiVersion: apiserver.config.k8s.io/v1\n');
    expect(text).toContain('2. Grant access (cluster admin): the ClusterRole edit everywhere (ClusterRoleBinding)');
    expect(text).toContain('kubectl create clusterrolebinding oidc-edit-platform \\\n     --clusterrole=edit \\\n     --group=oidc:platform\n');
  });

  it('tells to copy the provider CA for the flags', () => {
    const text = renderNextSteps({
      ...base,
      version: { major: 1, minor: 28 },
      providerCa: { localPath: '/home/u/ca.pem', pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' },
      rbac: { clusterRole: 'view', clusterWide: false, namespace: 'team-a' },
    });
    expect(text).toContain('--oidc-ca-file=/etc/kubernetes/pki/oidc-ca.crt');
    expect(text).toContain('Copy the provider CA /home/u/ca.pem to /etc/kubernetes/pki/oidc-ca.crt on each control-plane host.');
  });
});

describe('parseVersionInfo', () => {
  it('reads the minor version from gitVersion or minor', () => {
    expect(parseVersionInfo('{"major":"1","minor":"31+","gitVersion":"v1.31.2-eks-7f9249a"}')).toEqual({ major: 1, minor: 31 });
    expect(parseVersionInfo('{"major":"1","minor":"29"}')).toEqual({ major: 1, minor: 29 });
    expect(parseVersionInfo('not json')).toBeUndefined();
  });
});
