// status and logout as a user runs them: the built CLI against a real oidc-provider (revocation
// enabled), logging in through the HTTP login driver first.
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/cache/key.js';
import { FileCacheLock } from '../../../src/cache/file-lock.js';
import { createLogger } from '../../../src/platform/logger.js';
import { runCli } from '../../support/cli.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { SCOPES, cacheFiles, expectNoIssuedToken, machine, refreshAtProvider, runWithFlags, startDiscoveryOnlyProvider, urlRecorder } from './harness.js';

interface StatusJson {
  cacheDir: string;
  sessions: Array<{
    id: string;
    loggedIn: boolean;
    identity?: { subject: string; email: string; groups: string[] };
    idToken?: { state: string; expiresAt: string };
    refreshToken?: { held: boolean };
    storage?: { kind: string; entryFile: string };
    lock: { state: string; pid?: number; host?: string; purpose?: string; reason?: string };
  }>;
}

describe('status', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider.stop());

  it('shows the identity, expiry, refresh token, storage and lock, in text and JSON, and never a token', async () => {
    const m = machine(provider);
    const login = await m.run();
    expect(login.code, login.stderr).toBe(0);
    const exp = m.entry().times.idTokenExpiresAt;

    const text = await runWithFlags(m, 'status');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`${provider.issuer} · client kube-login · scopes email groups offline_access`);
    expect(text.stdout).toContain('identity    demo@example.com (sub demo-user)');
    expect(text.stdout).toContain('groups      developers, viewers');
    expect(text.stdout).toMatch(/ID token {4}valid, expires in \d+ min/);
    expect(text.stdout).toContain('refresh     a refresh token is held');
    expect(text.stdout).toContain(`storage     file ${m.entryPath()} (mode 0600)`);
    expect(text.stdout).toContain('lock        free');

    const json = await runWithFlags(m, 'status', ['-o', 'json']);
    const report = JSON.parse(json.stdout) as StatusJson;
    expect(report.cacheDir).toBe(m.cacheDir);
    expect(report.sessions).toHaveLength(1);
    expect(report.sessions[0]).toMatchObject({
      loggedIn: true,
      identity: { subject: 'demo-user', email: 'demo@example.com', groups: ['developers', 'viewers'] },
      idToken: { state: 'valid', expiresAt: new Date(exp * 1000).toISOString() },
      refreshToken: { held: true },
      storage: { kind: 'disk', entryFile: m.entryPath() },
      lock: { state: 'free' },
    });

    const all = await runCli(['status', '--all', `--token-cache-dir=${m.cacheDir}`], { env: { HOME: m.home } });
    expect(all.stdout).toContain('identity    demo@example.com');
    expectNoIssuedToken(provider, text.stdout, text.stderr, json.stdout, json.stderr, all.stdout, all.stderr);
  });

  it('shows who holds the lock, and a stale lock left by a dead process', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const id = cacheKey({ issuer: provider.issuer, clientId: 'kube-login', scopes: SCOPES, extraParams: {} }).id;
    const lock = await new FileCacheLock({ dir: m.cacheDir, logger: createLogger({ write: () => true }, false) }).acquire(id, 'refreshing the token');
    try {
      const held = JSON.parse((await runWithFlags(m, 'status', ['-o', 'json'])).stdout) as StatusJson;
      expect(held.sessions[0]?.lock).toMatchObject({ state: 'held', pid: process.pid, host: hostname(), purpose: 'refreshing the token' });
      const text = await runWithFlags(m, 'status');
      expect(text.stdout).toContain(`lock        held by pid ${process.pid} on ${hostname()}, refreshing the token since`);
    } finally {
      await lock.release();
    }
    // A holder that died: a pid that cannot exist on this host, in our pid namespace.
    const pidNamespace = readlinkSync('/proc/self/ns/pid');
    writeFileSync(join(m.cacheDir, `${id}.lock`), JSON.stringify({ pid: 2 ** 22 + 7, host: hostname(), startedAt: new Date().toISOString(), purpose: 'logging in', pidNamespace }));
    const stale = JSON.parse((await runWithFlags(m, 'status', ['-o', 'json'])).stdout) as StatusJson;
    expect(stale.sessions[0]?.lock).toMatchObject({ state: 'stale', pid: 2 ** 22 + 7 });
  });

  it('says "not logged in" for a configuration with nothing cached; with no flags it reads the current context', async () => {
    const m = machine(provider);
    const result = await runWithFlags(m, 'status');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('not logged in: nothing is cached for this configuration');
    // No flags: the current context, and this machine has no kubeconfig.
    const bare = await runCli(['status'], { env: { HOME: m.home, KUBECONFIG: undefined } });
    expect(bare.code).toBe(10);
    expect(bare.stderr).toContain(`kube-login: could not find the kubeconfig context: there is no kubeconfig at ${m.home}/.kube/config`);
    // Part of a configuration's flags is still a usage error.
    const partial = await runCli(['status', `--oidc-client-id=${provider.publicClientId}`], { env: { HOME: m.home } });
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('kube-login: could not run status: --oidc-issuer-url is missing');
  });
});

describe('logout', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider.stop());

  it('revokes the refresh token at the provider and empties the cache; a refresh with the old token is refused', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const refreshToken = m.entry().secrets?.refreshToken as string;
    const idToken = m.entry().secrets?.idToken as string;
    // The control: another login's refresh token works at the provider.
    const other = machine(provider);
    expect((await other.run()).code).toBe(0);
    expect(await refreshAtProvider(provider, other.entry().secrets?.refreshToken as string)).toMatchObject({ status: 200 });

    const revocations = provider.requests().filter((request) => request.route === 'revocation').length;
    const result = await runWithFlags(m, 'logout');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `kube-login: logged out of ${provider.issuer} (client kube-login) as demo@example.com:\n` +
        '  revoked the refresh token at the provider (RFC 7009)\n' +
        '  revoked the access token\n' +
        '  deleted the cached tokens (the entry file)\n',
    );
    expect(provider.requests().filter((request) => request.route === 'revocation').length).toBe(revocations + 2);
    expect(await refreshAtProvider(provider, refreshToken)).toEqual({ status: 400, error: 'invalid_grant' });
    expect(existsSync(m.entryPath())).toBe(false);
    expect(cacheFiles(m)).toEqual([]);
    expectNoIssuedToken(provider, result.stderr);
    expect(result.stderr).not.toContain(idToken);

    // The next get-token logs in again.
    const again = await m.run();
    expect(again.code, again.stderr).toBe(0);
    expect(m.driver().launches).toBe(2);
  });

  it('--end-session opens the end_session_endpoint with the ID token as hint, and prints a URL without it', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const idToken = m.entry().secrets?.idToken as string;
    const recorder = urlRecorder(m.home);
    const result = await runWithFlags(m, 'logout', ['--end-session', `--browser-command=${recorder.command}`]);
    expect(result.code, result.stderr).toBe(0);
    const opened = new URL(readFileSync(recorder.file, 'utf8').trim());
    expect(opened.origin + opened.pathname).toBe(`${provider.issuer}/session/end`);
    expect(opened.searchParams.get('id_token_hint')).toBe(idToken);
    expect(result.stderr).toContain(`${provider.issuer}/session/end?client_id=kube-login`);
    expect(result.stderr).not.toContain(idToken);
    // The provider accepts the hinted URL (its sign-out confirmation page).
    expect((await fetch(opened)).status).toBe(200);
  });

  it('logs out of every cached configuration with --all', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    expect((await m.run(['--oidc-extra-scope=profile'])).code).toBe(0);
    const tokens = [m.entry().secrets?.refreshToken as string];
    expect(cacheFiles(m).filter((name) => name.endsWith('.json'))).toHaveLength(2);
    const result = await runCli(['logout', '--all', `--token-cache-dir=${m.cacheDir}`], { env: { HOME: m.home } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.match(/^kube-login: logged out of /gm)).toHaveLength(2);
    expect(cacheFiles(m)).toEqual([]);
    expect(await refreshAtProvider(provider, tokens[0]!)).toMatchObject({ error: 'invalid_grant' });
  });

  it('says when the provider has no revocation endpoint, and still deletes the tokens', async () => {
    const stub = await startDiscoveryOnlyProvider();
    try {
      const m = machine({ issuer: stub.issuer, publicClientId: 'kube-login', caFile: undefined });
      const key = cacheKey({ issuer: stub.issuer, clientId: 'kube-login', scopes: SCOPES, extraParams: {} });
      const now = Math.floor(Date.now() / 1000);
      mkdirSync(m.cacheDir, { recursive: true, mode: 0o700 });
      writeFileSync(
        m.entryPath(),
        JSON.stringify({
          version: 1,
          key: key.input,
          storage: 'disk',
          times: { idTokenExpiresAt: now + 300, idTokenIssuedAt: now },
          hasRefreshToken: true,
          updatedAt: new Date().toISOString(),
          secrets: { idToken: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdHViIn0.x', refreshToken: 'stub-refresh-token-0123456789' },
        }),
        { mode: 0o600 },
      );
      const result = await runWithFlags(m, 'logout');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('  the provider has no revocation endpoint: the refresh token stays valid until it expires\n');
      expect(existsSync(m.entryPath())).toBe(false);
    } finally {
      await stub.stop();
    }
  });

  it('keeps the tokens when the provider cannot be reached, and --local-only deletes them', async () => {
    const down = await startDiscoveryOnlyProvider();
    const issuer = down.issuer;
    await down.stop();
    const m = machine({ issuer, publicClientId: 'kube-login', caFile: undefined });
    mkdirSync(m.cacheDir, { recursive: true, mode: 0o700 });
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(
      m.entryPath(),
      JSON.stringify({
        version: 1,
        key: cacheKey({ issuer, clientId: 'kube-login', scopes: SCOPES, extraParams: {} }).input,
        storage: 'disk',
        times: { idTokenExpiresAt: now + 300, idTokenIssuedAt: now },
        hasRefreshToken: true,
        updatedAt: new Date().toISOString(),
        secrets: { idToken: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJzdHViIn0.x', refreshToken: 'stub-refresh-token-0123456789' },
      }),
      { mode: 0o600 },
    );
    const refused = await runWithFlags(m, 'logout');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('kept the cached tokens, so that logout can revoke them later');
    expect(refused.stderr).toMatch(/kube-login: could not log out of 1 of 1 configuration: nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\)\n {2}fix: run logout again when the provider answers, or pass --local-only/);
    expect(existsSync(m.entryPath())).toBe(true);
    const local = await runWithFlags(m, 'logout', ['--local-only']);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).toContain('did not revoke the refresh token (--local-only)');
    expect(existsSync(m.entryPath())).toBe(false);
  });
});
