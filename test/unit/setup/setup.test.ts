// The setup use case over fake ports: checks, login, mapping, kubeconfig write, next steps, guided mode.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { describe, expect, it } from 'vitest';
import { KubeLoginError, isKubeLoginError } from '../../../src/errors.js';
import { parseKubeconfig } from '../../../src/kube/kubeconfig.js';
import { setup } from '../../../src/usecases/setup.js';
import { CLAIMS, ISSUER, KIND_CONFIG, fakeSetup, flagsInput, goodDiscovery, scriptedPrompter } from './fakes.js';

async function failure(promise: Promise<unknown>): Promise<KubeLoginError> {
  try {
    await promise;
  } catch (error) {
    if (isKubeLoginError(error)) return error;
    throw error;
  }
  throw new Error('expected setup to fail');
}

describe('setup with flags', () => {
  it('checks the provider, logs in once, writes user and context, and prints the next steps', async () => {
    const fake = fakeSetup();
    const result = await setup(fake.deps, flagsInput({ mapping: { usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' } }));
    const err = fake.stderr();
    expect(err).toContain(`Checking the provider ${ISSUER}\n`);
    for (const line of [
      '  ✓ the issuer uses https (idp.example.com)',
      `  ✓ read the discovery document ${ISSUER}/.well-known/openid-configuration`,
      `  ✓ the discovery issuer equals the issuer URL "${ISSUER}"`,
      '  ✓ the authorization, token and JWKS endpoints are published',
      '  ✓ PKCE S256 is supported',
      '  ✓ refresh tokens: offline_access is in scopes_supported',
      '  ✓ ID tokens are signed with RS256, which kube-apiserver accepts',
    ]) {
      expect(err).toContain(`${line}\n`);
    }
    expect(err).toContain('  email           "jane@example.com"\n');
    expect(err).toContain('  Username: jane@example.com\n  Groups:   [oidc:developers oidc:viewers system:authenticated]\n');
    expect(fake.calls.login).toEqual([{ dryRun: false, scopes: [] }]);
    expect(fake.calls.written).toHaveLength(1);
    const [change] = fake.calls.written[0]!;
    const written = parseKubeconfig(change!.after, change!.path).doc.toJS() as { users: Array<{ name: string; user: unknown }>; contexts: Array<{ name: string; context: unknown }> };
    expect(written.users.find((u) => u.name === result.user)?.user).toEqual({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'kube-login',
        args: ['get-token', `--oidc-issuer-url=${ISSUER}`, '--oidc-client-id=kubernetes'],
        interactiveMode: 'IfAvailable',
        installHint: expect.stringContaining('npm install --global kube-login'),
      },
    });
    expect(result.user).toBe('oidc-idp.example.com-kubernetes');
    expect(written.contexts.find((c) => c.name === 'oidc@kind-kind')?.context).toEqual({ cluster: 'kind-kind', user: 'oidc-idp.example.com-kubernetes' });
    expect(err).toContain('  added user oidc-idp.example.com-kubernetes (/home/u/.kube/config)\n');
    expect(err).toContain('  backup of the previous /home/u/.kube/config: /home/u/.kube/config.kube-login-backup-20260305T170000Z\n');
    // Next steps: 1.31 → an AuthenticationConfiguration; a namespaced RoleBinding; whoami.
    expect(err).toContain('1. Configure kube-apiserver (cluster admin; Kubernetes 1.31)');
    expect(err).toContain('kind: AuthenticationConfiguration');
    expect(err).toContain('kubectl create rolebinding oidc-view-jane-example.com \\\n     --clusterrole=view \\\n     --user=jane@example.com \\\n     --namespace=default');
    expect(err).toContain('   kubectl --context oidc@kind-kind auth whoami\n');
    // The tokens and the existing token of the kubeconfig never reach stderr.
    expect(err).not.toContain('kind-admin-token');
    expect(fake.stdout()).toBe('');
  });

  it("shows the username with kube-apiserver's default <issuer># prefix for sub, and the --oidc-* flags below 1.30", async () => {
    const fake = fakeSetup();
    fake.deps = { ...fake.deps, clusterVersion: async () => ({ major: 1, minor: 29 }) };
    await setup(fake.deps, flagsInput());
    const err = fake.stderr();
    expect(err).toContain(`  Username: ${ISSUER}#user-123\n  Groups:   [system:authenticated]\n`);
    expect(err).toContain('the token has a "groups" claim that is not mapped');
    expect(err).toContain(`--oidc-issuer-url=${ISSUER}`);
    expect(err).toContain('--oidc-username-prefix=https://idp.example.com#');
    expect(err).toContain('1. Configure kube-apiserver (cluster admin; Kubernetes 1.29): add these flags');
  });

  it('warns about missing claims and an unverified email, as kube-apiserver would reject', async () => {
    const fake = fakeSetup({ claims: { ...CLAIMS, email_verified: false, groups: undefined } });
    await setup(fake.deps, flagsInput({ mapping: { usernameClaim: 'email', groupsClaim: 'groups' } }));
    const err = fake.stderr();
    expect(err).toContain('  Username: (rejected: oidc: email not verified)\n');
    expect(err).toContain('kube-login: warning: kube-apiserver would reject this token: oidc: email not verified\n');
    expect(err).toContain('kube-login: warning: the token has no "groups" claim, so kube-apiserver maps no groups\n');
  });

  it('carries every get-token flag into the exec args, the secret file as its path, and drops the password', async () => {
    const fake = fakeSetup();
    const secretFile = join(mkdtempSync(join(tmpdir(), 'kube-login-setup-')), 'client-secret');
    writeFileSync(secretFile, 'file-secret-value\n', { mode: 0o600 });
    const input = flagsInput({}, { 'oidc-client-secret-file': secretFile, password: 'hunter22', 'browser-command': 'firefox --new-window' });
    const withLists = { ...input, raw: { ...input.raw, lists: { 'oidc-extra-scope': ['email', 'offline_access'], 'certificate-authority': ['certs/ca.pem'] }, booleans: { 'skip-open-browser': true, verbose: true } } };
    await setup(fake.deps, withLists);
    const after = fake.calls.written[0]![0]!.after;
    const users = (parseKubeconfig(after, 'f').doc.toJS() as { users: Array<{ name: string; user: { exec?: { args: string[] } } }> }).users;
    expect(users.find((u) => u.user.exec)?.user.exec?.args).toEqual([
      'get-token',
      `--oidc-issuer-url=${ISSUER}`,
      '--oidc-client-id=kubernetes',
      `--oidc-client-secret-file=${secretFile}`,
      '--oidc-extra-scope=email',
      '--oidc-extra-scope=offline_access',
      '--browser-command=firefox --new-window',
      '--skip-open-browser',
      '--certificate-authority=/work/certs/ca.pem',
    ]);
    expect(after).not.toContain('file-secret-value');
    const err = fake.stderr();
    expect(err).not.toContain('file-secret-value');
    expect(err).not.toContain('note: the client secret comes from');
    expect(err).toContain('not written into the kubeconfig: --password, --verbose');
  });

  it('refuses --oidc-client-secret before any request: a kubeconfig never holds the secret', async () => {
    const fake = fakeSetup();
    const error = await failure(setup(fake.deps, flagsInput({}, { 'oidc-client-secret': 'top-secret-value' })));
    expect(error.code).toBe('usage');
    expect(error.message).toBe('could not write the client secret into the kubeconfig: setup does not write a client secret into a kubeconfig, and --oidc-client-secret would put it there');
    expect(error.fix).toContain('--oidc-client-secret-file');
    expect(error.fix).toContain('KUBE_LOGIN_OIDC_CLIENT_SECRET');
    expect(fake.calls.login).toEqual([]);
    expect(fake.calls.written).toEqual([]);
  });

  it('writes nothing secret when the secret comes from KUBE_LOGIN_OIDC_CLIENT_SECRET, and says where get-token reads it', async () => {
    const fake = fakeSetup();
    await setup({ ...fake.deps, env: { ...fake.deps.env, KUBE_LOGIN_OIDC_CLIENT_SECRET: 'from-the-environment' } }, flagsInput());
    const after = fake.calls.written[0]![0]!.after;
    expect(after).not.toContain('from-the-environment');
    expect(after).not.toContain('KUBE_LOGIN_OIDC_CLIENT_SECRET');
    expect(fake.stderr()).toContain('kube-login: note: the client secret comes from KUBE_LOGIN_OIDC_CLIENT_SECRET and is not written into the kubeconfig');
  });

  it('--dry-run prints the diff on stdout and writes nothing (not even the token cache)', async () => {
    const fake = fakeSetup();
    await setup(fake.deps, flagsInput({ dryRun: true }));
    expect(fake.calls.written).toEqual([]);
    expect(fake.calls.login).toEqual([{ dryRun: true, scopes: [] }]);
    expect(fake.stdout()).toMatch(/^--- \/home\/u\/\.kube\/config\tcurrent\n\+\+\+ \/home\/u\/\.kube\/config\tafter kube-login\n/);
    expect(fake.stdout()).toContain('+- name: oidc-idp.example.com-kubernetes\n');
    expect(fake.stdout()).toContain('     token: [redacted]');
    expect(fake.stderr()).toContain('--dry-run: the kubeconfig change (on stdout) was not written');
  });

  it('adds a new cluster from --server with its CA embedded, and sets the current context', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const fake = fakeSetup({ texts: { '/work/ca.pem': pem } });
    await setup(fake.deps, flagsInput({ cluster: undefined, server: 'https://10.0.0.1:6443', clusterCertificateAuthority: '/work/ca.pem', setCurrentContext: true, namespace: 'team-a' }));
    const config = parseKubeconfig(fake.calls.written[0]![0]!.after, 'f').doc.toJS() as Record<string, unknown>;
    expect(config['clusters']).toContainEqual({ name: '10.0.0.1-6443', cluster: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': Buffer.from(pem).toString('base64') } });
    expect(config['contexts']).toContainEqual({ name: 'oidc@10.0.0.1-6443', context: { cluster: '10.0.0.1-6443', user: 'oidc-idp.example.com-kubernetes', namespace: 'team-a' } });
    expect(config['current-context']).toBe('oidc@10.0.0.1-6443');
    expect(fake.stderr()).toContain('--namespace=team-a');
  });
});

describe('setup refuses', () => {
  it('a cluster CA file it cannot read, before any request to the provider (the edit is planned first)', async () => {
    const fake = fakeSetup();
    const error = await failure(setup(fake.deps, flagsInput({ cluster: undefined, server: 'https://10.0.0.1:6443', clusterCertificateAuthority: '/work/missing-ca.pem' })));
    expect(error.message).toContain('could not read the cluster CA file /work/missing-ca.pem');
    expect(fake.calls.discover).toBe(0);
    expect(fake.calls.login).toEqual([]);
    expect(fake.calls.written).toEqual([]);
  });

  it('missing values without a terminal: lists the flags and touches nothing', async () => {
    const fake = fakeSetup();
    const input = flagsInput({ cluster: undefined });
    const error = await failure(setup(fake.deps, { ...input, raw: { strings: {}, lists: {}, booleans: {} } }));
    expect(error.code).toBe('usage');
    expect(error.reason).toBe('there is no terminal to ask on, and these values are missing: --oidc-issuer-url URL; --oidc-client-id ID; --cluster NAME (a cluster of the kubeconfig) or --server URL');
    expect(error.fix).toContain('pass --oidc-issuer-url URL, --oidc-client-id ID, --cluster NAME');
    expect(fake.calls.discover).toBe(0);
  });

  it('missing values with --yes', async () => {
    const fake = fakeSetup();
    const error = await failure(setup(fake.deps, flagsInput({ cluster: undefined, yes: true })));
    expect(error.reason).toMatch(/^--yes forbids questions, and these values are missing: --cluster NAME/);
  });

  it('an unknown --cluster, naming the clusters there are', async () => {
    const fake = fakeSetup();
    const error = await failure(setup(fake.deps, flagsInput({ cluster: 'prod' })));
    expect(error.reason).toBe('the kubeconfig (/home/u/.kube/config) has no cluster of that name; it has kind-kind');
  });

  it('a kubeconfig it cannot parse, before any network request', async () => {
    const fake = fakeSetup({ files: { '/home/u/.kube/config': 'users: [\n' } });
    const error = await failure(setup(fake.deps, flagsInput()));
    expect(error.code).toBe('kubeconfig');
    expect(fake.calls.discover).toBe(0);
  });

  const providerFailures: Array<[string, Parameters<typeof fakeSetup>[0], string, string, string, string]> = [
    ['a non-https issuer', {}, 'could not use this provider: the issuer uses http, not https (idp.example.com)', 'serve the provider over https', 'check-failed', 'http://idp.example.com'],
    [
      'an issuer mismatch',
      { discovery: goodDiscovery({ issuer: `${ISSUER}/` }) },
      `could not use this provider: the discovery issuer is "${ISSUER}/", not "${ISSUER}" (they differ only by the trailing slash); kube-apiserver and kube-login compare them byte for byte`,
      `pass --oidc-issuer-url ${ISSUER}/`,
      'check-failed',
      ISSUER,
    ],
    [
      'no PKCE S256',
      { discovery: goodDiscovery({ code_challenge_methods_supported: ['plain'] }) },
      'could not use this provider: PKCE S256 is not supported (code_challenge_methods_supported: plain)',
      'enable PKCE with S256',
      'check-failed',
      ISSUER,
    ],
    [
      'signing algorithms kube-apiserver does not accept',
      { discovery: goodDiscovery({ id_token_signing_alg_values_supported: ['HS256', 'EdDSA'] }) },
      'could not use this provider: ID tokens are signed with HS256, EdDSA, and kube-apiserver accepts only ES256, ES384, ES512, PS256, PS384, PS512, RS256, RS384, RS512',
      'configure the provider to sign ID tokens with RS256',
      'check-failed',
      ISSUER,
    ],
    ['missing endpoints', { discovery: goodDiscovery({ token_endpoint: undefined }) }, 'could not use this provider: the discovery document has no usable token_endpoint', 'use a provider', 'check-failed', ISSUER],
    [
      'a plain-http token endpoint on another host',
      { discovery: goodDiscovery({ token_endpoint: 'http://idp.example.com/token' }) },
      'could not use this provider: its discovery document names the token_endpoint "http://idp.example.com/token", which is plain http to another host, so the client secret, codes and tokens would cross the network in clear text; nothing was sent to it',
      'configure the provider to publish https URLs',
      'provider-rejected',
      ISSUER,
    ],
    [
      'a TLS failure',
      {
        discovery: new KubeLoginError('tls', 'read the discovery document', 'TLS to idp.example.com failed: the certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)'),
      },
      `could not read the discovery document ${ISSUER}/.well-known/openid-configuration: TLS to idp.example.com failed: the certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
      "pass the CA that signed the provider's certificate with --certificate-authority FILE",
      'tls',
      ISSUER,
    ],
  ];
  for (const [what, options, message, fix, code, issuer] of providerFailures) {
    it(`${what}: one error (not also a ✗ line), its exit code, no login, nothing written`, async () => {
      const fake = fakeSetup(options);
      const error = await failure(setup(fake.deps, flagsInput({}, { 'oidc-issuer-url': issuer })));
      expect(error.message).toBe(message);
      expect(error.fix).toContain(fix);
      expect(fake.stderr()).not.toContain('✗');
      expect(error.code).toBe(code);
      expect(fake.calls.login).toEqual([]);
      expect(fake.calls.written).toEqual([]);
    });
  }

  it('no refresh token: offline_access not advertised and none returned at the test login', async () => {
    const fake = fakeSetup({ discovery: goodDiscovery({ scopes_supported: ['openid', 'email'] }), refreshToken: false });
    const error = await failure(setup(fake.deps, flagsInput()));
    const err = fake.stderr();
    expect(err).toContain('  … refresh tokens: offline_access is not in scopes_supported; the test login will show whether a refresh token is returned\n');
    expect(error.message).toContain('could not use this provider: refresh tokens: offline_access is not in scopes_supported and the test login returned no refresh token');
    expect(err).not.toContain('✗');
    expect(error.code).toBe('check-failed');
    expect(fake.calls.written).toEqual([]);
  });

  it('accepts a refresh token returned although offline_access is not advertised', async () => {
    const fake = fakeSetup({ discovery: goodDiscovery({ scopes_supported: undefined }) });
    await setup(fake.deps, flagsInput());
    expect(fake.stderr()).toContain('  ✓ refresh tokens: the test login returned a refresh token\n');
  });
});

describe('setup --offline', () => {
  it('contacts neither the provider nor the cluster, does not log in, writes the kubeconfig from the flags and says what was not checked', async () => {
    const fake = fakeSetup();
    const result = await setup(fake.deps, flagsInput({ offline: true, mapping: { usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' } }, { 'oidc-issuer-url': ISSUER }));
    expect(fake.calls.discover).toBe(0);
    expect(fake.calls.login).toEqual([]);
    expect(fake.calls.written).toHaveLength(1);
    expect(result.username).toBeUndefined();
    const err = fake.stderr();
    expect(err).toContain('--offline: the provider was not contacted and no test login was made, so its discovery document, PKCE, refresh tokens, signing algorithm');
    expect(err).not.toContain('Checking the provider');
    expect(err).toContain('--offline: there was no test login, so the username is not known');
    expect(err).toContain('which opens the browser to log in the first time');
    const config = parseKubeconfig(fake.calls.written[0]![0]!.after, 'f').doc.toJS() as { users: Array<{ name: string; user: { exec: { args: string[] } } }> };
    expect(config.users.find((user) => user.name === 'oidc-idp.example.com-kubernetes')?.user.exec.args).toContain(`--oidc-issuer-url=${ISSUER}`);
  });

  it('still refuses what no provider could fix: plain http off this machine, a system: groups prefix, a namespace that is not a DNS-1123 label', async () => {
    const http = await failure(setup(fakeSetup().deps, flagsInput({ offline: true }, { 'oidc-issuer-url': 'http://idp.example.com' })));
    expect(http.message).toBe('could not use this provider: the issuer uses http, not https (idp.example.com)');
    const prefix = await failure(setup(fakeSetup().deps, flagsInput({ offline: true, mapping: { groupsClaim: 'groups', groupsPrefix: 'system:oidc:' } })));
    expect(prefix.message).toContain('the system: prefix is reserved');
    const namespace = await failure(setup(fakeSetup().deps, flagsInput({ offline: true, namespace: 'Team_A' })));
    expect(namespace.message).toBe('could not use --namespace "Team_A": it is not a namespace name: a namespace is a DNS-1123 label, at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit');
  });
});

describe('guided mode', () => {
  it('asks what it cannot discover, offers the kubeconfig clusters, shows the diff and writes after confirmation', async () => {
    const prompter = scriptedPrompter([
      ISSUER, // issuer
      'kubernetes', // client ID
      '', // scopes [email groups offline_access]
      '', // cluster [1: kind-kind]
      '', // user name [default]
      'dev@kind', // context name
      'team-a', // namespace
      'y', // current context
      '', // username claim [email]
      '', // username prefix []
      '', // groups claim [groups]
      '', // groups prefix [oidc:]
      '', // write? [Y]
    ]);
    const fake = fakeSetup({ prompter });
    const input = flagsInput({ cluster: undefined });
    const result = await setup(fake.deps, { ...input, raw: { strings: {}, lists: {}, booleans: {} } });
    expect(prompter.questions).toEqual([
      'Issuer URL of the OpenID Connect provider (exactly as it publishes it)',
      'Client ID registered at the provider for kubectl',
      'Scopes to request besides openid (separated by spaces; - for none)',
      'Choose a number',
      'Name of the kubeconfig user',
      'Name of the kubeconfig context',
      'Default namespace of the context (empty: none)',
      'Make dev@kind the current context?',
      'Username claim',
      'Username prefix (empty: none for the email claim; - for none)',
      'Groups claim (empty: no groups)',
      'Groups prefix (recommended, so no provider group can match a Kubernetes system group)',
      'Write it to /home/u/.kube/config?',
    ]);
    // The scopes the provider lists and kubectl needs are the default, and the login requests them.
    expect(fake.calls.login).toEqual([{ dryRun: false, scopes: ['email', 'groups', 'offline_access'] }]);
    const err = fake.stderr();
    expect(err).toContain('Which cluster should kubectl log in to with this provider?\n  1) kind-kind  https://127.0.0.1:6443  (contexts: kind-kind)\n  2) a new cluster: enter its API server URL\n');
    expect(err).toContain('  Username: jane@example.com\n  Groups:   [oidc:developers oidc:viewers system:authenticated]\n');
    expect(err).toContain('The kubeconfig change:\n--- /home/u/.kube/config');
    expect(result.context).toBe('dev@kind');
    const config = parseKubeconfig(fake.calls.written[0]![0]!.after, 'f').doc.toJS() as Record<string, unknown>;
    expect(config['current-context']).toBe('dev@kind');
    expect(config['contexts']).toContainEqual({ name: 'dev@kind', context: { cluster: 'kind-kind', user: 'oidc-idp.example.com-kubernetes', namespace: 'team-a' } });
    // The mapping answers reach the next steps.
    expect(err).toContain('--groups-prefix=oidc:');
  });

  it('a failed provider check is a ✗ line and the issuer question again, with the published issuer as the default', async () => {
    const prompter = scriptedPrompter([`${ISSUER}/`, 'kubernetes', '', '', '', '', '', '', '', '', '', '', '', '']);
    const fake = fakeSetup({ prompter });
    const result = await setup(fake.deps, { ...flagsInput({ cluster: undefined }), raw: { strings: {}, lists: {}, booleans: {} } });
    expect(prompter.questions.slice(0, 3)).toEqual([
      'Issuer URL of the OpenID Connect provider (exactly as it publishes it)',
      'Client ID registered at the provider for kubectl',
      'Issuer URL of the OpenID Connect provider (exactly as it publishes it)',
    ]);
    expect(fake.stderr()).toContain(`  ✗ the discovery issuer is "${ISSUER}", not "${ISSUER}/" (they differ only by the trailing slash)`);
    expect(fake.stderr()).not.toContain('kube-login: could not');
    expect(fake.calls.discover).toBe(2);
    expect(fake.calls.login).toHaveLength(1);
    expect(result.written).toHaveLength(1);
    expect(fake.calls.written[0]![0]!.after).toContain(`--oidc-issuer-url=${ISSUER}\n`);
  });

  it('goes on when the test login returns no refresh token: a ✗ line with the fix, not the end', async () => {
    const prompter = scriptedPrompter(['', '', '', '', '', '', '', '', '', '', '']);
    const fake = fakeSetup({ prompter, discovery: goodDiscovery({ scopes_supported: ['openid', 'email'] }), refreshToken: false });
    const result = await setup(fake.deps, flagsInput({ cluster: undefined }));
    expect(fake.stderr()).toContain('  ✗ refresh tokens: offline_access is not in scopes_supported and the test login returned no refresh token');
    expect(result.written).toHaveLength(1);
  });

  it('writes nothing when the change is declined', async () => {
    // scopes, cluster, user, context, namespace, current context, username claim, prefix, groups claim, prefix, write.
    const prompter = scriptedPrompter(['', '', '', '', '', '', '', '', '', '', 'n']);
    const fake = fakeSetup({ prompter });
    const result = await setup(fake.deps, flagsInput({ cluster: undefined }));
    expect(result.written).toEqual([]);
    expect(fake.calls.written).toEqual([]);
    expect(fake.stderr()).toContain('Nothing was written.');
  });

  it('asks nothing when every value is given, even on a terminal', async () => {
    const prompter = scriptedPrompter([]);
    const fake = fakeSetup({ prompter });
    await setup(fake.deps, flagsInput());
    expect(prompter.questions).toEqual([]);
    expect(fake.calls.written).toHaveLength(1);
  });
});

describe('an existing kubeconfig', () => {
  it('is only added to: the earlier entries keep their exact lines', async () => {
    const fake = fakeSetup();
    await setup(fake.deps, flagsInput());
    const after = fake.calls.written[0]![0]!.after;
    expect(diffLines(KIND_CONFIG, after).filter((part) => part.removed)).toEqual([]);
  });
});
