// get-token against a real oidc-provider on 127.0.0.1, run as kubectl runs it: the built CLI in a
// fresh process, the browser leg done by the HTTP login driver.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { claimsOf, credential, machine, modeOf, waitUntil } from './harness.js';

const V1BETA1 = JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', spec: { interactive: false } }) + '\n';

describe('get-token with a long-lived token', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider.stop());

  it('logs in once, caches privately, then answers from the cache without asking the provider', async () => {
    const m = machine(provider);
    const first = await m.run();
    expect(first.code, first.stderr).toBe(0);
    const printed = credential(first);
    expect(printed).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential' });
    const claims = claimsOf(printed.status.token);
    expect(claims).toMatchObject({ iss: provider.issuer, aud: provider.publicClientId, sub: 'demo-user' });
    // expirationTimestamp is the start of the refresh margin: exp - min(60 s, 10% of the lifetime).
    const exp = claims['exp'] as number;
    const iat = claims['iat'] as number;
    expect(Date.parse(printed.status.expirationTimestamp) / 1000).toBe(exp - Math.min(60, Math.floor((exp - iat) / 10)));
    expect(m.driver().launches).toBe(1);
    expect(modeOf(m.cacheDir)).toBe(0o700);
    expect(modeOf(m.entryPath())).toBe(0o600);
    expect(first.stderr).toContain('logged in as demo@example.com');

    const before = provider.counts().total;
    const second = await m.run();
    expect(second.code, second.stderr).toBe(0);
    expect(credential(second).status.token).toBe(printed.status.token);
    expect(provider.counts().total).toBe(before);
    expect(second.stderr).toBe('');
    expect(m.driver().launches).toBe(1);
  });

  it('answers in the API version kubectl asks for, on a login and on a cache hit', async () => {
    const m = machine(provider);
    const login = await m.run([], { env: { KUBERNETES_EXEC_INFO: V1BETA1 } });
    expect(login.code, login.stderr).toBe(0);
    expect(credential(login).apiVersion).toBe('client.authentication.k8s.io/v1beta1');
    const hit = await m.run([], { env: { KUBERNETES_EXEC_INFO: V1BETA1 } });
    expect(credential(hit).apiVersion).toBe('client.authentication.k8s.io/v1beta1');
    const v1 = await m.run([], { env: { KUBERNETES_EXEC_INFO: V1BETA1.replace('v1beta1', 'v1') } });
    expect(credential(v1).apiVersion).toBe('client.authentication.k8s.io/v1');
  });

  it('refuses a malformed KUBERNETES_EXEC_INFO with a clear error and nothing on stdout', async () => {
    const m = machine(provider);
    const result = await m.run([], { env: { KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v1alpha1"}' } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^kube-login: could not read KUBERNETES_EXEC_INFO: apiVersion "client.authentication.k8s.io\/v1alpha1" is not one of/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('ignores a callback with a forged state, shows an error page, and completes the real login', async () => {
    const m = machine(provider);
    const result = await m.run([], { driver: { tamperState: true } });
    expect(result.code, result.stderr).toBe(0);
    expect(m.driver().tamperStatuses).toEqual([400]);
    expect(result.stderr).toContain('wrong or missing state');
    expect(claimsOf(credential(result).status.token)['sub']).toBe('demo-user');
  });

  it('treats a corrupt cache entry as a miss: one line, a new login, the entry replaced', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    writeFileSync(m.entryPath(), '{"version":1, this is not json');
    const result = await m.run();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: ignoring the token cache .*: it is not valid JSON/);
    expect(m.driver().launches).toBe(2);
    expect(m.entry().secrets?.idToken).toBe(credential(result).status.token);
  });

  it('times out a login nobody completes, with exit code 5 and what to do', async () => {
    const m = machine(provider, ['--browser-command=true', '--authentication-timeout-sec=1']);
    const result = await m.run();
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('kube-login: could not log in: nobody completed the login within 1 seconds');
    expect(result.stderr).toContain('fix: run the command again');
  });

  it('falls through the --listen-address list when a port is taken, and says which were tried when none is free', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as { port: number }).port;
    try {
      const fallThrough = machine(provider, [], [`127.0.0.1:${busy}`, '127.0.0.1:0']);
      const ok = await fallThrough.run();
      expect(ok.code, ok.stderr).toBe(0);
      expect(fallThrough.driver().launches).toBe(1);
      const onlyBusy = machine(provider, [], [`127.0.0.1:${busy}`]);
      const failed = await onlyBusy.run();
      expect(failed.code).toBe(7);
      expect(failed.stdout).toBe('');
      expect(failed.stderr).toContain(`no address was free: 127.0.0.1:${busy} (in use)`);
      expect(onlyBusy.driver().launches).toBe(0);
    } finally {
      blocker.close();
    }
  });
});

describe('get-token when tokens expire', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    // A 3 s ID token: the margin is min(60, 0.3) = 0 s, so the token is stale right at exp.
    provider = await startProvider({ idTokenTtlSeconds: 3 });
  });
  afterAll(() => provider.stop());

  it('refreshes an expired ID token and saves the rotated refresh token', async () => {
    const m = machine(provider);
    const login = await m.run();
    expect(login.code, login.stderr).toBe(0);
    const firstRefreshToken = m.entry().secrets?.refreshToken;
    expect(firstRefreshToken).toBeTruthy();
    await waitUntil(m.entry().times.idTokenExpiresAt);

    const codeGrants = provider.counts().authorizationCode;
    const refreshed = await m.run();
    expect(refreshed.code, refreshed.stderr).toBe(0);
    const token = credential(refreshed).status.token;
    expect(token).not.toBe(credential(login).status.token);
    expect(claimsOf(token)['exp'] as number).toBeGreaterThan(Date.now() / 1000);
    expect(provider.counts().refreshToken).toBe(1);
    expect(provider.counts().authorizationCode).toBe(codeGrants);
    expect(m.driver().launches).toBe(1);
    const rotated = m.entry().secrets?.refreshToken;
    expect(rotated).toBeTruthy();
    expect(rotated).not.toBe(firstRefreshToken);

    // The rotated token is the one that works: a second refresh succeeds (reusing the old one would revoke the grant).
    await waitUntil(m.entry().times.idTokenExpiresAt);
    const again = await m.run();
    expect(again.code, again.stderr).toBe(0);
    expect(provider.counts().failedRefresh).toBe(0);
    expect(m.driver().launches).toBe(1);
  });

  it('logs in again when the refresh token is dead, saying why in one line', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    await provider.killRefreshTokens();
    await waitUntil(m.entry().times.idTokenExpiresAt);
    const result = await m.run();
    expect(result.code, result.stderr).toBe(0);
    expect(m.driver().launches).toBe(2);
    const refreshLines = result.stderr.split('\n').filter((line) => line.includes('could not refresh the token'));
    expect(refreshLines).toHaveLength(1);
    expect(refreshLines[0]).toMatch(/invalid_grant.*logging in again/);
    expect(claimsOf(credential(result).status.token)['exp'] as number).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('get-token when the provider is unreachable', () => {
  it('fails with one clear line and a non-zero exit, printing nothing on stdout', async () => {
    const provider = await startProvider();
    const { issuer, publicClientId } = provider;
    await provider.stop();
    const m = machine({ issuer, publicClientId, caFile: undefined });
    const result = await m.run();
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`kube-login: could not read the provider's discovery document at ${issuer}: nothing is listening at ${new URL(issuer).host} (connection refused)`);
    expect(result.stderr).toContain('fix: check the issuer URL');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('get-token against an HTTPS provider with a private CA', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider({ https: true });
  });
  afterAll(() => provider.stop());

  it('names the certificate problem and the flag without --certificate-authority', async () => {
    const m = machine(provider);
    const result = await m.run();
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/could not read the provider's discovery document at https:.*TLS to 127\.0\.0\.1:\d+ failed: the certificate/);
    expect(result.stderr).toContain('--certificate-authority');
  });

  it('logs in with --certificate-authority added to the system roots', async () => {
    const m = machine(provider, [`--certificate-authority=${provider.caFile}`]);
    const result = await m.run();
    expect(result.code, result.stderr).toBe(0);
    expect(claimsOf(credential(result).status.token)['iss']).toBe(provider.issuer);
  });

  it('logs in with --certificate-authority-data', async () => {
    const data = Buffer.from(provider.caPem ?? '').toString('base64');
    const m = machine(provider, [`--certificate-authority-data=${data}`]);
    const result = await m.run();
    expect(result.code, result.stderr).toBe(0);
  });
});

describe('get-token interrupted during a login', () => {
  it('exits 130 on Ctrl-C with what to do, releasing the lock and printing nothing on stdout', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync, readdirSync } = await import('node:fs');
    const { kubeLogin, kubeLoginArgv } = await import('../../support/paths.js');
    const { childEnv } = await import('../../support/run-process.js');
    const provider = await startProvider();
    try {
      const m = machine(provider, ['--browser-command=true']);
      const run = kubeLoginArgv(['get-token', ...m.flags]);
      const child = spawn(run.command, run.args, { cwd: kubeLogin.cwd, env: childEnv({ HOME: m.home }), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let interrupted = false;
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // The URL is printed once the listener is up: that is when a user would press Ctrl-C (once).
        if (!interrupted && stderr.includes('/auth?')) {
          interrupted = true;
          child.kill('SIGINT');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
      expect(code).toBe(130);
      expect(stdout).toBe('');
      expect(stderr).toContain('kube-login: could not log in: interrupted by SIGINT');
      expect(stderr).toContain('fix: run the command again');
      const locks = existsSync(m.cacheDir) ? readdirSync(m.cacheDir).filter((name) => name.endsWith('.lock')) : [];
      expect(locks).toEqual([]);
    } finally {
      await provider.stop();
    }
  });
});

describe('get-token with an ID token whose signature does not verify', () => {
  it('refuses it in one line naming the check, caches nothing and prints nothing', async () => {
    const provider = await startProvider();
    try {
      await provider.serveForeignJwks();
      const m = machine(provider);
      const result = await m.run();
      expect(result.code).toBe(4);
      expect(result.stdout).toBe('');
      const lines = result.stderr.split('\n').filter((line) => line.startsWith('kube-login: could not'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/could not exchange the authorization code for tokens: the ID token failed validation: .*signature/i);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      const { existsSync } = await import('node:fs');
      expect(existsSync(m.entryPath())).toBe(false);
    } finally {
      await provider.stop();
    }
  });
});

describe('get-token command line', () => {
  it('refuses a kubelogin flag it does not take, naming the flag and what to use instead', async () => {
    const m = machine({ issuer: 'http://127.0.0.1:1', publicClientId: 'kube-login', caFile: undefined });
    const result = await m.run(['--local-server-cert=/tmp/cert.pem']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'kube-login: could not use --local-server-cert: it is a kubelogin flag that kube-login does not take\n' +
        '  fix: kube-login serves the loopback redirect over plain http, as RFC 8252 section 8.3 allows; remove the flag\n',
    );
  });

  it('refuses an unknown flag, naming it', async () => {
    const m = machine({ issuer: 'http://127.0.0.1:1', publicClientId: 'kube-login', caFile: undefined });
    const result = await m.run(['--oidc-extra-scopes=email']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("kube-login: could not read the command line: unknown option '--oidc-extra-scopes=email'");
  });
});

describe('kube-login --version', () => {
  it('prints the package version, the runtime and the platform on stdout', async () => {
    const { readFileSync } = await import('node:fs');
    const { repoRoot } = await import('../../support/paths.js');
    const { runCli, makeTempHome } = await import('../../support/cli.js');
    const version = (JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string }).version;
    const result = await runCli(['--version'], { env: { HOME: makeTempHome() } });
    expect(result.code).toBe(0);
    const { kubeLogin } = await import('../../support/paths.js');
    const runtime = kubeLogin.kind === 'executable' ? 'bun \\d+\\.\\d+\\.\\d+ executable' : `node ${process.versions.node}`;
    expect(result.stdout).toMatch(new RegExp(`^${version.replace(/\./g, '\\.')} \\(${runtime}, (linux|darwin|windows)/(amd64|arm64)\\)\\n$`));
  });
});
