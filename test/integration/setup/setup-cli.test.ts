// `kube-login setup` as a person runs it: the built CLI against a real oidc-provider (browser leg by the
// login driver), then the real kubectl on the written kubeconfig, through the stand-in API server.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApiServer, startApiServer } from '../../support/apiserver.js';
import { type CliResult, makeTempHome, runCli } from '../../support/cli.js';
import { runKubectl } from '../../support/kubeconfig.js';
import { loginDriverEnv, readDriverLog } from '../../support/login-driver-control.js';
import { loginDriverScript, setupExecCommand } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import {
  discoveryFor,
  discoveryServer,
  handWrittenKubeconfig,
  kubeLoginOnPath,
  startProviderWithoutRefreshTokens,
  writeKubeconfig,
} from './setup-harness.js';

let provider: TestProvider;
let apiserver: TestApiServer;
let binDir: string;

beforeAll(async () => {
  provider = await startProvider({ https: true });
  apiserver = await startApiServer({ issuer: provider.issuer, caFile: provider.caFile, usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' });
  binDir = kubeLoginOnPath();
});
afterAll(async () => {
  await apiserver?.stop();
  await provider?.stop();
});

interface Machine {
  home: string;
  kubeconfig: string;
  original: string;
  driverLog: string;
  setup(args: string[], options?: { caFile?: string | undefined; timeoutMs?: number }): Promise<CliResult>;
}

function machine(): Machine {
  const home = makeTempHome();
  const original = handWrittenKubeconfig(apiserver.url, apiserver.caFile);
  const kubeconfig = writeKubeconfig(home, original, 0o640);
  const driverLog = join(home, 'driver.log');
  return {
    home,
    kubeconfig,
    original,
    driverLog,
    setup: (args, options = {}) =>
      runCli(['setup', ...args], {
        env: { HOME: home, KUBECONFIG: undefined, ...loginDriverEnv({ log: driverLog, ...(options.caFile ? { caFile: options.caFile } : {}) }) },
        timeoutMs: options.timeoutMs ?? 45_000,
      }),
  };
}

/** The flags of a complete non-interactive setup against the test provider. */
function providerFlags(issuer: string, caFile: string | undefined): string[] {
  return [
    `--oidc-issuer-url=${issuer}`,
    '--oidc-client-id=kube-login',
    '--oidc-extra-scope=email',
    '--oidc-extra-scope=groups',
    '--oidc-extra-scope=offline_access',
    ...(caFile ? [`--certificate-authority=${caFile}`] : []),
    `--browser-command=${process.execPath} ${loginDriverScript}`,
    '--listen-address=127.0.0.1:0',
    '--token-cache-storage=disk',
  ];
}

const MAPPING = ['--username-claim=email', '--groups-claim=groups', '--groups-prefix=oidc:'];

/** The failure is printed once, as the error line: not also as a ✗ line of the check list. */
function expectErrorOnce(stderr: string, text: string): void {
  expect(stderr.split(text).length - 1).toBe(1);
  expect(stderr).not.toContain('✗');
}

function expectUntouched(m: Machine): void {
  expect(readFileSync(m.kubeconfig, 'utf8')).toBe(m.original);
  expect(readdirSync(join(m.home, '.kube')).filter((name) => name.includes('backup'))).toEqual([]);
}

describe('kube-login setup against a real provider', () => {
  it('checks, logs in once, writes the kubeconfig, and kubectl then works through the stand-in API server', async () => {
    const m = machine();
    const result = await m.setup([...providerFlags(provider.issuer, provider.caFile), '--cluster=test-cluster', '--set-current-context', ...MAPPING], { caFile: provider.caFile });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('');
    const err = result.stderr;
    for (const line of [
      `  ✓ the issuer uses https (127.0.0.1:${provider.port})`,
      `  ✓ read the discovery document ${provider.issuer}/.well-known/openid-configuration`,
      `  ✓ the discovery issuer equals the issuer URL "${provider.issuer}"`,
      '  ✓ the authorization, token and JWKS endpoints are published',
      '  ✓ PKCE S256 is supported',
      '  ✓ refresh tokens: offline_access is in scopes_supported',
      '  ✓ ID tokens are signed with RS256, which kube-apiserver accepts',
      '  email           "demo@example.com"',
      '  Username: demo@example.com',
      '  Groups:   [oidc:developers oidc:viewers system:authenticated]',
      `  added user oidc-127.0.0.1-${provider.port}-kube-login (${m.kubeconfig})`,
      `  added context oidc@test-cluster (${m.kubeconfig})`,
      `  set current-context to oidc@test-cluster (${m.kubeconfig})`,
      '   kubectl --context oidc@test-cluster auth whoami',
    ]) {
      expect(err).toContain(`${line}\n`);
    }
    // The stand-in API server answers /version only with a token: the version is unknown, so the flags form.
    expect(err).toContain('1. Configure kube-apiserver (cluster admin; version unknown): add these flags to kube-apiserver');
    expect(err).toContain(`   --oidc-issuer-url=${provider.issuer}\n`);
    expect(err).not.toContain('static-admin-token-do-not-print');
    expect(readDriverLog(m.driverLog).launches).toBe(1);

    // The file: same mode, only added lines (comments and every other entry kept), a backup of the old bytes.
    const written = readFileSync(m.kubeconfig, 'utf8');
    expect(statSync(m.kubeconfig).mode & 0o777).toBe(0o640);
    expect(diffLines(m.original, written).filter((part) => part.removed).map((part) => part.value)).toEqual(['current-context: admin@elsewhere\n']);
    const backups = readdirSync(join(m.home, '.kube')).filter((name) => /^config\.kube-login-backup-\d{8}T\d{6}Z$/.test(name));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(m.home, '.kube', backups[0]!), 'utf8')).toBe(m.original);

    // The real kubectl reads it…
    const view = await runKubectl(['config', 'view', '-o', 'json'], { kubeconfig: m.kubeconfig, env: { HOME: m.home } });
    expect(view.code, view.stderr).toBe(0);
    const config = JSON.parse(view.stdout) as { users: Array<{ name: string; user: { exec?: Record<string, unknown> } }>; 'current-context': string };
    expect(config['current-context']).toBe('oidc@test-cluster');
    expect(config.users.find((user) => user.user.exec)?.user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1',
      command: setupExecCommand(),
      // The user's flags, in the order of get-token's flag table.
      args: [
        'get-token',
        `--oidc-issuer-url=${provider.issuer}`,
        '--oidc-client-id=kube-login',
        '--oidc-extra-scope=email',
        '--oidc-extra-scope=groups',
        '--oidc-extra-scope=offline_access',
        '--listen-address=127.0.0.1:0',
        `--browser-command=${process.execPath} ${loginDriverScript}`,
        '--token-cache-storage=disk',
        `--certificate-authority=${provider.caFile}`,
      ],
      interactiveMode: 'IfAvailable',
      installHint: expect.stringContaining('npm install --global kube-login'),
    });

    // …and `kubectl auth whoami` authenticates with the token setup cached: no second login.
    const whoami = await runKubectl(['--context', 'oidc@test-cluster', 'auth', 'whoami'], {
      kubeconfig: m.kubeconfig,
      env: { HOME: m.home, PATH: `${binDir}:${process.env['PATH'] ?? ''}`, ...loginDriverEnv({ log: m.driverLog, caFile: provider.caFile }) },
    });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toMatch(/^ATTRIBUTE\s+VALUE\nUsername\s+demo@example\.com\nGroups\s+\[oidc:developers oidc:viewers system:authenticated\]\n/);
    expect(readDriverLog(m.driverLog).launches).toBe(1);
  });

  it('--dry-run prints the change as a diff on stdout and writes nothing', async () => {
    const m = machine();
    const result = await m.setup([...providerFlags(provider.issuer, provider.caFile), '--cluster=test-cluster', '--dry-run'], { caFile: provider.caFile });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^--- ${m.kubeconfig}\\tcurrent\\n\\+\\+\\+ ${m.kubeconfig}\\tafter kube-login\\n@@ `));
    expect(result.stdout).toContain(`+      command: ${setupExecCommand()}\n`);
    expect(result.stdout).toContain('     token: [redacted]');
    expect(result.stdout).not.toContain('static-admin-token-do-not-print');
    expectUntouched(m);
    expect(existsSync(join(m.home, '.kube', 'cache', 'kube-login'))).toBe(true);
    expect(readdirSync(join(m.home, '.kube', 'cache', 'kube-login')).filter((name) => name.endsWith('.json'))).toEqual([]);
  });

  it('without a terminal and with values missing, fails at once listing the flags (stdin is /dev/null)', async () => {
    const m = machine();
    const result = await m.setup([], { timeoutMs: 10_000 });
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'kube-login: could not run setup: there is no terminal to ask on, and these values are missing: --oidc-issuer-url URL; --oidc-client-id ID; --cluster NAME (a cluster of the kubeconfig) or --server URL\n' +
        '  fix: pass --oidc-issuer-url URL, --oidc-client-id ID, --cluster NAME (a cluster of the kubeconfig) or --server URL (run `kube-login setup` in a terminal, without --yes, to be asked)\n',
    );
    expectUntouched(m);
  });

  it('--offline writes the kubeconfig from the flags without a request to the provider, and says what was not checked', async () => {
    const m = machine();
    const before = provider.counts().total;
    const result = await m.setup([...providerFlags(provider.issuer, provider.caFile), '--cluster=test-cluster', '--offline', ...MAPPING, '--kubernetes-version=1.31']);
    expect(result.code).toBe(0);
    expect(provider.counts().total).toBe(before);
    expect(readDriverLog(m.driverLog).launches).toBe(0);
    expect(result.stderr).toContain('--offline: the provider was not contacted and no test login was made');
    expect(result.stderr).not.toContain('Checking the provider');
    const written = readFileSync(m.kubeconfig, 'utf8');
    expect(written).toContain(`--oidc-issuer-url=${provider.issuer}`);
    expect(written).toContain('# My clusters. Please keep this comment.');
  });

  it('refuses a kubeconfig it cannot parse, before contacting the provider, and leaves it byte-identical', async () => {
    const m = machine();
    const broken = m.original.replace('  keep: [1, 2, 3]', '  keep: [1, 2, 3');
    writeKubeconfig(m.home, broken);
    const before = provider.counts().total;
    const result = await m.setup([...providerFlags(provider.issuer, provider.caFile), '--cluster=test-cluster']);
    expect(result.code).toBe(10);
    expect(result.stderr).toMatch(new RegExp(`^kube-login: could not understand the kubeconfig ${m.kubeconfig}: ${m.kubeconfig}:\\d+: `));
    expect(readFileSync(m.kubeconfig, 'utf8')).toBe(broken);
    expect(provider.counts().total).toBe(before);
  });
});

describe('provider checks that fail: each has its own ✗ line and exit code, and nothing is written', () => {
  it('a non-https issuer (exit 11)', async () => {
    const m = machine();
    const result = await m.setup([...providerFlags('http://192.0.2.10/realms/main', undefined), '--cluster=test-cluster']);
    expect(result.code).toBe(11);
    expect(result.stderr).toContain('kube-login: could not use this provider: the issuer uses http, not https (192.0.2.10)\n  fix: serve the provider over https and pass its https URL;');
    expectErrorOnce(result.stderr, 'the issuer uses http, not https');
    expectUntouched(m);
  });

  it('an issuer that differs from the discovery document (exit 11)', async () => {
    const fake = await discoveryServer((url) => ({ ...discoveryFor(url), issuer: `${url}/` }));
    try {
      const m = machine();
      const result = await m.setup([...providerFlags(fake.url, undefined), '--cluster=test-cluster']);
      expect(result.code).toBe(11);
      expect(result.stderr).toContain(`kube-login: could not use this provider: the discovery issuer is "${fake.url}/", not "${fake.url}" (they differ only by the trailing slash); kube-apiserver and kube-login compare them byte for byte\n  fix: pass --oidc-issuer-url ${fake.url}/\n`);
      expectErrorOnce(result.stderr, 'the discovery issuer is');
      expectUntouched(m);
    } finally {
      await fake.stop();
    }
  });

  it('no PKCE S256 (exit 11)', async () => {
    const fake = await discoveryServer((url) => ({ ...discoveryFor(url), code_challenge_methods_supported: ['plain'] }));
    try {
      const m = machine();
      const result = await m.setup([...providerFlags(fake.url, undefined), '--cluster=test-cluster']);
      expect(result.code).toBe(11);
      expect(result.stderr).toContain('kube-login: could not use this provider: PKCE S256 is not supported (code_challenge_methods_supported: plain)\n  fix: enable PKCE with S256 for the client at the provider');
      expectErrorOnce(result.stderr, 'PKCE S256 is not supported');
      expectUntouched(m);
    } finally {
      await fake.stop();
    }
  });

  it('no refresh token: not advertised and none returned by the test login (exit 11)', async () => {
    const noRefresh = await startProviderWithoutRefreshTokens();
    try {
      const m = machine();
      const result = await m.setup([...providerFlags(noRefresh.issuer, undefined), '--cluster=test-cluster']);
      expect(result.code).toBe(11);
      expect(result.stderr).toContain('  … refresh tokens: offline_access is not in scopes_supported; the test login will show whether a refresh token is returned\n');
      expect(result.stderr).toContain('kube-login: could not use this provider: refresh tokens: offline_access is not in scopes_supported and the test login returned no refresh token');
      expectErrorOnce(result.stderr, 'the test login returned no refresh token');
      expect(readDriverLog(m.driverLog).launches).toBe(1);
      expectUntouched(m);
    } finally {
      await noRefresh.stop();
    }
  });

  it('a private CA without --certificate-authority: names the certificate problem and the flag (exit 3)', async () => {
    const m = machine();
    const result = await m.setup([...providerFlags(provider.issuer, undefined), '--cluster=test-cluster']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `kube-login: could not read the discovery document ${provider.issuer}/.well-known/openid-configuration: TLS to 127.0.0.1:${provider.port} failed: the certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)\n  fix: pass the CA that signed the provider's certificate with --certificate-authority FILE`,
    );
    expectErrorOnce(result.stderr, 'the certificate is signed by a CA that is not trusted');
    expectUntouched(m);
  });
});
