// doctor against real components: oidc-provider, the stand-in API server (configured like
// kube-apiserver's --oidc-* flags) and real kubeconfigs. Each failure doctor can name is produced on
// purpose here, and doctor must name it.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cacheKey } from '../../../src/cache/key.js';
import { type TestApiServer, startApiServer } from '../../support/apiserver.js';
import { runCli } from '../../support/cli.js';
import { runKubectl } from '../../support/kubeconfig.js';
import { kubeLogin, kubeLoginShellCommand } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { type Machine, SCOPES, expectNoIssuedToken, machine, refreshAtProvider, startDiscoveryOnlyProvider } from './harness.js';

interface StanzaOptions {
  command?: string;
  args?: string[];
  /** null: leave interactiveMode out. */
  interactiveMode?: string | null;
  name?: string;
}

/** A kubeconfig (in the machine's home) whose user runs kube-login get-token with the machine's flags. */
function kubeconfigFor(m: Machine, apiserver: TestApiServer, options: StanzaOptions = {}): { path: string; context: string } {
  const name = options.name ?? 'oidc';
  const exec: Record<string, unknown> = {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: options.command ?? kubeLogin.command,
    args: options.args ?? [...kubeLogin.prefix, 'get-token', ...m.flags],
  };
  if (options.interactiveMode !== null) exec['interactiveMode'] = options.interactiveMode ?? 'IfAvailable';
  const path = join(m.home, `${name}.kubeconfig`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server: apiserver.url, 'certificate-authority': apiserver.caFile } }],
      users: [{ name, user: { exec } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
    }),
    { mode: 0o600 },
  );
  return { path, context: name };
}

/** Runs doctor on a kubeconfig context, with the machine's home. */
function doctorOn(m: Machine, kubeconfig: { path: string; context: string }, extra: string[] = [], env: Record<string, string | undefined> = {}) {
  return runCli(['doctor', '--kubeconfig', kubeconfig.path, '--context', kubeconfig.context, ...extra], { env: { HOME: m.home, KUBECONFIG: undefined, ...env } });
}

/** The check lines (✓ ✗ ! -) of doctor's stderr, by their first words. */
const lineStarting = (stderr: string, prefix: string): string | undefined => stderr.split('\n').find((line) => line.startsWith(prefix));

describe('kube-login doctor', () => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  beforeAll(async () => {
    provider = await startProvider();
    // Like kube-apiserver --oidc-username-claim=email --oidc-username-prefix=oidc: --oidc-groups-claim=groups --oidc-groups-prefix=oidc:
    apiserver = await startApiServer({ issuer: provider.issuer, audiences: ['kube-login'], usernameClaim: 'email', usernamePrefix: 'oidc:', groupsClaim: 'groups', groupsPrefix: 'oidc:' });
  });
  afterAll(async () => {
    await apiserver?.stop();
    await provider?.stop();
  });

  it('passes a healthy context end to end, refreshing under the lock without breaking the grant', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const oldRefresh = m.entry().secrets?.refreshToken as string;
    const kubeconfig = kubeconfigFor(m, apiserver);
    const result = await doctorOn(m, kubeconfig);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    for (const line of [
      `✓ context "oidc" in ${kubeconfig.path}: user oidc, cluster oidc at ${apiserver.url}`,
      `✓ the exec command "${kubeLogin.command}" is found`,
      '✓ interactiveMode is IfAvailable',
      `✓ the exec args parse as get-token flags: issuer ${provider.issuer}, client kube-login, scopes email groups offline_access`,
      `✓ requests to the issuer ${provider.issuer} go directly`,
      `✓ the token's aud "kube-login" contains the client ID "kube-login"`,
      "✓ the token's signature verifies with the provider's published keys (JWKS)",
      `✓ the API server ${apiserver.url} accepts the token (SelfSubjectReview authentication.k8s.io/v1; connected directly`,
      '✓ the API server calls you "oidc:demo@example.com": the email claim "demo@example.com" with the prefix "oidc:"',
      '✓ the API server gives you the groups "oidc:developers", "oidc:viewers": the groups claim with the prefix "oidc:"',
    ]) {
      expect(result.stderr).toContain(line);
    }
    expect(lineStarting(result.stderr, '✓ refreshing works')).toContain('the provider rotated the refresh token, and the new one is saved');
    // The one warning: these tests listen on port 0, which oidc-provider allows (RFC 8252 7.3) but
    // providers that match redirect URIs exactly do not.
    expect(result.stderr).toMatch(/\n! --listen-address uses port 0/);
    expect(result.stderr).toMatch(/kube-login doctor: \d+ passed, 1 warning, 0 failed\n$/);
    expectNoIssuedToken(provider, result.stderr);
    // The rotated refresh token was saved, and it works; the old one is spent.
    const newRefresh = m.entry().secrets?.refreshToken as string;
    expect(newRefresh).not.toBe(oldRefresh);
    const failedBefore = provider.counts().failedRefresh;
    const again = await m.run(['--force-refresh']);
    expect(again.code, again.stderr).toBe(0);
    expect(provider.counts().failedRefresh).toBe(failedBefore);
    expect(m.driver().launches).toBe(1);
  });

  it('names a command that is not on PATH and a missing interactiveMode, as kubectl fails on them', async () => {
    const m = machine(provider);
    const kubeconfig = kubeconfigFor(m, apiserver, { command: 'kube-login-not-installed', args: ['get-token', ...m.flags], interactiveMode: null });
    const result = await doctorOn(m, kubeconfig);
    expect(result.code).toBe(11);
    expect(result.stderr).toContain('✗ the exec command "kube-login-not-installed" is not on PATH: kubectl fails with "exec: executable kube-login-not-installed not found"');
    expect(result.stderr).toContain(
      '✗ interactiveMode is not set, and client.authentication.k8s.io/v1 requires it: kubectl refuses the kubeconfig with "interactiveMode must be specified for oidc to use exec authentication plugin"',
    );
    expect(result.stderr).toContain('kube-login: could not pass every doctor check: 2 checks failed (exec-command, exec-interactive-mode)');
    // The real kubectl agrees about interactiveMode.
    const kubectl = await runKubectl(['get', '--raw', '/version'], { kubeconfig: kubeconfig.path, env: { HOME: m.home } });
    expect(kubectl.code).not.toBe(0);
    expect(kubectl.stderr).toContain('interactiveMode must be specified for oidc to use exec authentication plugin');
  });

  it('resolves a relative command against the kubeconfig directory, as kubectl does', async () => {
    const m = machine(provider);
    mkdirSync(join(m.home, 'tools'));
    const wrapper = join(m.home, 'tools', 'kube-login');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${kubeLoginShellCommand()} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const kubeconfig = kubeconfigFor(m, apiserver, { command: 'tools/kube-login', args: ['get-token', ...m.flags] });
    // kubectl runs it from another working directory.
    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: kubeconfig.path, env: { HOME: m.home } });
    expect(whoami.code, whoami.stderr).toBe(0);
    const result = await doctorOn(m, kubeconfig);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`✓ the exec command "tools/kube-login" is resolved against the kubeconfig's directory to ${wrapper}`);
  });

  it('names an issuer nobody answers at', async () => {
    const gone = await startDiscoveryOnlyProvider();
    await gone.stop();
    const m = machine({ issuer: gone.issuer, publicClientId: 'kube-login', caFile: undefined });
    const result = await doctorOn(m, kubeconfigFor(m, apiserver));
    expect(result.code).toBe(11);
    const host = new URL(gone.issuer).host;
    expect(result.stderr).toContain(`✗ the provider could not be reached at ${gone.issuer}/.well-known/openid-configuration: nothing is listening at ${host} (connection refused)`);
    expect(result.stderr).toContain('- the clock was not compared: the provider could not be read');
  });

  it('names a provider certificate that is not trusted, and passes with --certificate-authority', async () => {
    const https = await startProvider({ https: true });
    try {
      const m = machine(https);
      const untrusted = await runCli(['doctor', ...m.flags], { env: { HOME: m.home } });
      expect(untrusted.code).toBe(11);
      expect(lineStarting(untrusted.stderr, '✗ TLS to the provider failed')).toMatch(/the certificate (chain ends in a self-signed CA that is not trusted|is signed by a CA that is not trusted)/);
      expect(untrusted.stderr).toContain('fix: pass the CA that signed the provider certificate with --certificate-authority FILE');
      const trusted = await runCli(['doctor', ...m.flags, `--certificate-authority=${https.caFile}`], { env: { HOME: m.home } });
      expect(trusted.stderr).toContain(`✓ read the provider's discovery document ${https.issuer}/.well-known/openid-configuration over TLS; its issuer matches`);
    } finally {
      await https.stop();
    }
  });

  it('names a cached token whose aud is not the client ID', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    // The same (provider-signed) token, cached under another client ID: as a provider that puts
    // something else in aud would leave it.
    const other = cacheKey({ issuer: provider.issuer, clientId: 'kube-login-ci', scopes: SCOPES, extraParams: {} });
    const entry = JSON.parse(readFileSync(m.entryPath(), 'utf8')) as { key: unknown };
    writeFileSync(join(m.cacheDir, `${other.id}.json`), JSON.stringify({ ...entry, key: other.input }), { mode: 0o600 });
    const flags = m.flags.map((flag) => (flag.startsWith('--oidc-client-id=') ? '--oidc-client-id=kube-login-ci' : flag));
    const result = await runCli(['doctor', ...flags, `--oidc-client-secret=${provider.confidentialClient.secret}`], { env: { HOME: m.home } });
    expect(result.code).toBe(11);
    expect(result.stderr).toContain(
      '✗ aud mismatch: the token\'s aud is ["kube-login"], which does not contain the client ID "kube-login-ci": kube-apiserver (--oidc-client-id kube-login-ci) rejects it with "oidc: expected audience "kube-login-ci" got ["kube-login"]"',
    );
    expect(result.stderr).not.toContain(provider.confidentialClient.secret);
  });

  it('names a cache without a refresh token', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const entry = JSON.parse(readFileSync(m.entryPath(), 'utf8')) as { hasRefreshToken: boolean; secrets: Record<string, string> };
    delete entry.secrets['refreshToken'];
    entry.hasRefreshToken = false;
    writeFileSync(m.entryPath(), JSON.stringify(entry), { mode: 0o600 });
    const result = await doctorOn(m, kubeconfigFor(m, apiserver));
    expect(result.code).toBe(11);
    expect(lineStarting(result.stderr, '✗ no refresh token is held')).toBe(
      '✗ no refresh token is held: each time the ID token expires (every 5 min with this provider), the next kubectl command opens a browser login, and background callers (--no-login) fail',
    );
    // The ID token is still valid, so the cluster is still asked.
    expect(result.stderr).toContain('✓ the API server calls you "oidc:demo@example.com"');
  });

  it('names a username-prefix mismatch against the mapping the user expects', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const kubeconfig = kubeconfigFor(m, apiserver);
    const result = await doctorOn(m, kubeconfig, ['--username-claim', 'email', '--groups-claim', 'groups', '--groups-prefix', 'oidc:']);
    expect(result.code).toBe(11);
    expect(result.stderr).toContain(
      '✗ username prefix mismatch: the API server calls you "oidc:demo@example.com" (the prefix "oidc:" + the email claim), but the mapping gives "demo@example.com" (no prefix); RBAC bindings written for "demo@example.com" never match, so kubectl gets Forbidden',
    );
    expect(result.stderr).toContain('✓ the API server gives you the groups "oidc:developers", "oidc:viewers", as the mapping says');
    expect(result.stderr).toContain('kube-login: could not pass every doctor check: 1 check failed (username)');
  });

  it('names a missing groups claim', async () => {
    const m = machine(provider);
    // Drop the groups scope: the machine's flags carry email, groups and offline_access.
    m.flags.splice(0, m.flags.length, ...m.flags.filter((flag) => flag !== '--oidc-extra-scope=groups'));
    expect((await m.run()).code).toBe(0);
    const kubeconfig = kubeconfigFor(m, apiserver);
    const result = await doctorOn(m, kubeconfig);
    expect(result.code, result.stderr).toBe(0);
    expect(lineStarting(result.stderr, '! missing groups claim')).toBe(
      '! missing groups claim: the token has no "groups" claim, so the API server gives you no groups (none besides system:authenticated) and RoleBindings to groups never match you, a common cause of Forbidden',
    );
    const strict = await doctorOn(m, kubeconfig, ['--username-claim', 'email', '--username-prefix', 'oidc:', '--groups-claim', 'groups', '--groups-prefix', 'oidc:']);
    expect(strict.code).toBe(11);
    expect(strict.stderr).toContain('✗ missing groups claim');
    expect(strict.stderr).toContain('fix: request the scope that releases the claim (usually --oidc-extra-scope=groups in the exec args)');
  });

  it('names an API server that rejects the token (another audience)', async () => {
    const strictServer = await startApiServer({ issuer: provider.issuer, audiences: ['kubernetes'], usernameClaim: 'email', usernamePrefix: '-' });
    try {
      const m = machine(provider);
      expect((await m.run()).code).toBe(0);
      const result = await doctorOn(m, kubeconfigFor(m, strictServer));
      expect(result.code).toBe(11);
      expect(result.stderr).toContain(`✗ the API server ${strictServer.url} rejects the token (401 Unauthorized)`);
      expect(result.stderr).toContain(`--oidc-issuer-url=${provider.issuer} and --oidc-client-id=kube-login`);
    } finally {
      await strictServer.stop();
    }
  });

  it('a refresh token revoked behind kube-login\'s back is named, and the cache is left as it was', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const refreshToken = m.entry().secrets?.refreshToken as string;
    expect(await refreshAtProvider(provider, refreshToken)).toMatchObject({ status: 200 });
    // That refresh rotated the token: the cached one is spent, and reusing it revokes the grant.
    const result = await runCli(['doctor', ...m.flags], { env: { HOME: m.home } });
    expect(result.code).toBe(11);
    expect(result.stderr).toContain('✗ the provider refused the refresh token (invalid_grant)');
    expect(m.entry().secrets?.refreshToken).toBe(refreshToken);
  });
});
