// status, login and logout by kubeconfig context, as people run them every day: the built CLI, a real
// oidc-provider (with a second account), real kubeconfig files, and the HTTP login driver as browser.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { cacheKey } from '../../../src/cache/key.js';
import { runCli } from '../../support/cli.js';
import { readDriverLog } from '../../support/login-driver-control.js';
import { kubeLoginArgv } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { SCOPES, cacheFiles, expectNoIssuedToken, machine, refreshAtProvider, type Machine } from './harness.js';

const OTHER = { user: { sub: 'other-user', email: 'other@example.com', email_verified: true, groups: ['admins'], name: 'Other User' }, password: 'other-password' };

interface ContextsJson {
  kubeconfig: string[];
  currentContext?: string;
  contexts: Array<{ context: string; current: boolean; kind: string; reason?: string; identity?: { username?: string; groups?: string[] }; expiry?: { state: string; text: string }; storage?: string }>;
}

/**
 * A kubeconfig with four contexts: `dev` (current; kube-login run as `node bin/kube-login.js`, its driver
 * log set through exec.env), `legacy` (kubelogin's `kubectl oidc-login get-token`, other scopes),
 * `static` (a token user) and `eks` (`aws eks get-token`).
 */
function writeKubeconfig(m: Machine, provider: TestProvider): { path: string; legacyEntry: string; devEntry: string } {
  const legacyFlags = m.flags.map((flag) => (flag.startsWith('--oidc-extra-scope=') ? '' : flag)).filter(Boolean);
  legacyFlags.push('--oidc-extra-scope=email', '--oidc-extra-scope=offline_access');
  const exec = (command: string, args: string[], env?: Record<string, string>) => ({
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command,
      args,
      interactiveMode: 'IfAvailable',
      ...(env ? { env: Object.entries(env).map(([name, value]) => ({ name, value })) } : {}),
    },
  });
  const cluster = { server: 'https://127.0.0.1:1' };
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'dev',
    clusters: [{ name: 'c', cluster }],
    users: [
      { name: 'dev-user', user: (({ command, args }) => exec(command, args, { LOGIN_DRIVER_LOG: m.driverLog }))(kubeLoginArgv(['get-token', ...m.flags])) },
      { name: 'legacy-user', user: exec('kubectl', ['oidc-login', 'get-token', ...legacyFlags], { LOGIN_DRIVER_LOG: m.driverLog }) },
      { name: 'static-user', user: { token: 'not-a-real-token' } },
      { name: 'eks-user', user: exec('aws', ['eks', 'get-token', '--cluster-name', 'prod']) },
    ],
    contexts: [
      { name: 'dev', context: { cluster: 'c', user: 'dev-user' } },
      { name: 'legacy', context: { cluster: 'c', user: 'legacy-user' } },
      { name: 'static', context: { cluster: 'c', user: 'static-user' } },
      { name: 'eks', context: { cluster: 'c', user: 'eks-user' } },
    ],
  };
  const path = join(m.home, 'kubeconfig.yaml');
  writeFileSync(path, stringify(kubeconfig), { mode: 0o600 });
  const entry = (scopes: string[]) => join(m.cacheDir, `${cacheKey({ issuer: provider.issuer, clientId: provider.publicClientId, scopes, extraParams: {} }).id}.json`);
  return { path, devEntry: entry(SCOPES), legacyEntry: entry(['email', 'offline_access']) };
}

describe('commands on a kubeconfig context', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider({ otherUsers: [OTHER] });
  });
  afterAll(() => provider.stop());

  const setUp = () => {
    const m = machine(provider);
    const files = writeKubeconfig(m, provider);
    // KUBECONFIG as a list, as kubectl reads it: a missing file first, then the real one.
    const env = { HOME: m.home, KUBECONFIG: `${join(m.home, 'missing.yaml')}:${files.path}` };
    return { m, ...files, env, run: (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { env: { ...env, ...extraEnv } }) };
  };

  it('login, status and logout default to the current context, with the exec env applied', async () => {
    const { m, devEntry, run } = setUp();
    const login = await run(['login']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toBe('');
    expect(login.stderr).toMatch(/^kube-login: logged in on context dev as demo@example\.com \(groups developers, viewers\) until \S+Z \(in \d+ min\), by a new login$/m);
    // The driver log is set only in the stanza's exec.env: it reached the browser command.
    expect(readDriverLog(m.driverLog)).toMatchObject({ launches: 1, results: ['ok'] });
    expect(existsSync(devEntry)).toBe(true);

    const status = await run(['status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^context dev\n/);
    expect(status.stdout).toContain('identity    demo@example.com (sub demo-user)');
    const json = JSON.parse((await run(['status', '--context', 'dev', '-o', 'json'])).stdout) as { context: string; sessions: Array<{ identity: { email: string } }> };
    expect(json.context).toBe('dev');
    expect(json.sessions[0]?.identity.email).toBe('demo@example.com');

    // A second login refreshes: no new browser login.
    const refreshes = provider.counts().refreshToken;
    const again = await run(['login']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('by a refresh');
    expect(provider.counts().refreshToken).toBe(refreshes + 1);
    expect(readDriverLog(m.driverLog).launches).toBe(1);

    const logout = await run(['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('revoked the refresh token at the provider');
    expect(existsSync(devEntry)).toBe(false);
    expectNoIssuedToken(provider, login.stderr, status.stdout, again.stderr, logout.stderr);
  });

  it('status --all lists every context: kube-login, kubelogin-style, and users that are not kube-login users', async () => {
    const { run } = setUp();
    expect((await run(['login', '--context', 'dev'])).code).toBe(0);

    const text = await run(['status', '--all']);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^\s+CONTEXT\s+IDENTITY\s+EXPIRY\s+STORAGE$/);
    expect(lines.find((line) => line.startsWith('* dev'))).toMatch(/demo@example\.com \(groups developers, viewers\)\s+valid \d+ min\s+file$/);
    expect(lines.find((line) => line.startsWith('  legacy'))).toMatch(/\s-\s+login needed\s+-$/);
    expect(lines.find((line) => line.startsWith('  static'))).toContain('not a kube-login user: its user static-user has no exec stanza (it uses token)');
    expect(lines.find((line) => line.startsWith('  eks'))).toContain('not a kube-login user: its user eks-user runs "aws eks get-token", not kube-login get-token');

    const json = await run(['status', '--all', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as ContextsJson;
    expect(report.currentContext).toBe('dev');
    expect(report.contexts.map((context) => [context.context, context.kind])).toEqual([
      ['dev', 'kube-login'],
      ['legacy', 'kubelogin'],
      ['static', 'not-kube-login'],
      ['eks', 'not-kube-login'],
    ]);
    expect(report.contexts[0]).toMatchObject({ current: true, identity: { username: 'demo@example.com', groups: ['developers', 'viewers'] }, expiry: { state: 'valid' }, storage: 'file' });
    expect(report.contexts[1]).toMatchObject({ expiry: { state: 'login-needed', text: 'login needed' } });
    expectNoIssuedToken(provider, text.stdout, json.stdout);
  });

  it('a context whose user is not a kube-login user is an error for status, login and logout of that context', async () => {
    const { run } = setUp();
    for (const command of ['status', 'login', 'logout']) {
      const result = await run([command, '--context', 'eks']);
      expect(result.code, result.stderr).toBe(10);
      expect(result.stderr).toContain(`kube-login: could not use the context "eks": its user eks-user runs "aws eks get-token", not kube-login get-token, so it has no kube-login session`);
    }
  });

  it('login --force with prompt=select_account switches the account, under the context\'s own cache entry', async () => {
    const { m, devEntry, run } = setUp();
    expect((await run(['login'])).code).toBe(0);
    const valid = await run(['status', '-o', 'json']);
    expect(JSON.parse(valid.stdout).sessions[0].idToken.state).toBe('valid');

    const authorizations = provider.authorizationPrompts().length;
    const forced = await run(['login', '--force', '--oidc-auth-request-extra-params', 'prompt=select_account'], { LOGIN_DRIVER_USER: OTHER.user.sub, LOGIN_DRIVER_PASSWORD: OTHER.password });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/logged in on context dev as other@example\.com \(groups admins\) until .*, by a new login/);
    expect(provider.authorizationPrompts().slice(authorizations)).toEqual(['select_account']);
    expect(readDriverLog(m.driverLog).launches).toBe(2);
    // The same entry: kubectl on this context now uses the other account.
    expect(cacheFiles(m).filter((name) => name.endsWith('.json'))).toEqual([devEntry.split('/').at(-1)]);
    const status = await run(['status']);
    expect(status.stdout).toContain('identity    other@example.com (sub other-user)');
    expectNoIssuedToken(provider, forced.stderr, status.stdout);
  });

  it('logout --context revokes and removes exactly that context\'s cache entry', async () => {
    const { devEntry, legacyEntry, run } = setUp();
    expect((await run(['login', '--context', 'dev'])).code).toBe(0);
    const legacy = await run(['login', '--context', 'legacy']);
    expect(legacy.code, legacy.stderr).toBe(0);
    expect(existsSync(devEntry) && existsSync(legacyEntry)).toBe(true);
    const { secrets } = JSON.parse((await import('node:fs')).readFileSync(legacyEntry, 'utf8')) as { secrets: { refreshToken: string } };

    const logout = await run(['logout', '--context', 'legacy']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(existsSync(legacyEntry)).toBe(false);
    expect(existsSync(devEntry)).toBe(true);
    expect(await refreshAtProvider(provider, secrets.refreshToken)).toEqual({ status: 400, error: 'invalid_grant' });
    const dev = await run(['status', '--context', 'dev', '-o', 'json']);
    expect(JSON.parse(dev.stdout).sessions[0].loggedIn).toBe(true);
  });

  it('--kubeconfig picks the file; a context and get-token flags together are a usage error naming both', async () => {
    const { m, path } = setUp();
    const byFile = await runCli(['status', '--kubeconfig', path, '--context', 'legacy'], { env: { HOME: m.home, KUBECONFIG: undefined } });
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(byFile.stdout).toMatch(/^context legacy\n/);
    for (const command of ['status', 'login', 'logout', 'doctor']) {
      const both = await runCli([command, '--context', 'dev', `--oidc-issuer-url=${provider.issuer}`], { env: { HOME: m.home } });
      expect(both.code).toBe(2);
      expect(both.stderr).toContain(`kube-login: could not run ${command}: --context and the get-token flag --oidc-issuer-url were both given`);
    }
    // Scripts still pass the get-token flags.
    const scripted = await runCli(['status', ...m.flags], { env: { HOME: m.home } });
    expect(scripted.code, scripted.stderr).toBe(0);
    expect(scripted.stdout).toContain('not logged in');
  });

  it('help lists the command\'s own flags first and the get-token flags under their own heading, none "(required)"', async () => {
    const home = machine(provider).home;
    for (const command of ['status', 'login', 'logout', 'doctor']) {
      const help = await runCli([command, '--help'], { env: { HOME: home } });
      expect(help.code).toBe(0);
      const own = help.stdout.indexOf('Options:\n  --context <name>');
      const heading = help.stdout.indexOf('\nGet-token flags (for scripts, instead of --context');
      expect(own, command).toBeGreaterThan(0);
      expect(heading, command).toBeGreaterThan(own);
      expect(help.stdout.indexOf('--kubeconfig <file>'), command).toBeLessThan(heading);
      expect(help.stdout.indexOf('--oidc-issuer-url <url>'), command).toBeGreaterThan(heading);
      expect(help.stdout, command).not.toContain('(required)');
    }
    const status = await runCli(['status', '--help'], { env: { HOME: home } });
    expect(status.stdout.indexOf('-o, --output <format>')).toBeLessThan(status.stdout.indexOf('Get-token flags'));
  });
});
