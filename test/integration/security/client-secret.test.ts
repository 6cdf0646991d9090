// Issue 9 item 4: the client secret without argv. --oidc-client-secret-file and
// KUBE_LOGIN_OIDC_CLIENT_SECRET (through a kubeconfig's exec.env, run by the real kubectl) log a
// confidential client in against oidc-provider; the printed --no-login fix never shows a secret.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApiServer, prefixedMapping, startApiServer } from '../../support/apiserver.js';
import { runCli } from '../../support/cli.js';
import { runKubectl, writeExecKubeconfig } from '../../support/kubeconfig.js';
import { loginDriverEnv, readDriverLog } from '../../support/login-driver-control.js';
import { kubeLoginArgv, loginDriverScript } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { claimsOf, credential, machine } from '../get-token/harness.js';

describe('a confidential client with its secret out of argv', () => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  beforeAll(async () => {
    provider = await startProvider();
    apiserver = await startApiServer(prefixedMapping(provider.issuer, provider.confidentialClient.id));
  });
  afterAll(async () => {
    await apiserver?.stop();
    await provider?.stop();
  });
  const confidential = (): { issuer: string; publicClientId: string; caFile: undefined } => ({ issuer: provider.issuer, publicClientId: provider.confidentialClient.id, caFile: undefined });

  it('--oidc-client-secret-file logs in (one trailing newline ignored); a wrong secret in the file is refused', async () => {
    const m = machine(confidential());
    const file = join(m.home, 'client-secret');
    writeFileSync(file, `${provider.confidentialClient.secret}\n`, { mode: 0o600 });
    const result = await m.run([`--oidc-client-secret-file=${file}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(claimsOf(credential(result).status.token)).toMatchObject({ iss: provider.issuer, aud: provider.confidentialClient.id, sub: 'demo-user' });
    // The secret is not part of the cache key: the next call is a cache hit (the fast path), nothing asked.
    const before = provider.counts().total;
    const hit = await m.run([`--oidc-client-secret-file=${file}`]);
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stderr).toBe('');
    expect(credential(hit).status.token).toBe(credential(result).status.token);
    expect(provider.counts().total).toBe(before);
    // A missing file is a usage error even on a cache hit: it would fail at the next refresh anyway.
    const gone = await m.run([`--oidc-client-secret-file=${file}.moved`]);
    expect(gone.code).toBe(2);
    expect(gone.stdout).toBe('');

    const other = machine(confidential());
    const wrong = join(other.home, 'client-secret');
    writeFileSync(wrong, 'not-the-client-secret\n', { mode: 0o600 });
    const refused = await other.run([`--oidc-client-secret-file=${wrong}`]);
    expect(refused.code).toBe(4);
    // oidc-provider answers 401 with a Basic challenge; the exchange fails, so the file's secret was used.
    expect(refused.stderr).toContain('kube-login: could not exchange the authorization code for tokens:');

    const missing = await other.run([`--oidc-client-secret-file=${join(other.home, 'nope')}`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`kube-login: could not read the client secret file ${join(other.home, 'nope')} (--oidc-client-secret-file): ENOENT`);
  });

  it("KUBE_LOGIN_OIDC_CLIENT_SECRET from the kubeconfig's exec.env works through kubectl, and the cache hit too", async () => {
    const m = machine(confidential());
    const kubeconfig = writeExecKubeconfig({
      dir: m.home,
      server: apiserver.url,
      caFile: apiserver.caFile,
      ...kubeLoginArgv([
        'get-token',
        `--oidc-issuer-url=${provider.issuer}`,
        `--oidc-client-id=${provider.confidentialClient.id}`,
        '--oidc-extra-scope=email,groups,offline_access',
        `--browser-command=${process.execPath} ${loginDriverScript}`,
        '--listen-address=127.0.0.1:0',
        '--token-cache-storage=disk',
      ]),
      env: { KUBE_LOGIN_OIDC_CLIENT_SECRET: provider.confidentialClient.secret, ...loginDriverEnv({ log: m.driverLog }) },
    });
    const env = { HOME: m.home, KUBE_LOGIN_OIDC_CLIENT_SECRET: undefined };
    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig, env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect((JSON.parse(whoami.stdout) as { status: { userInfo: { username: string } } }).status.userInfo.username).toBe('oidc:demo@example.com');
    expect(whoami.stderr).not.toContain(provider.confidentialClient.secret);
    const tokenRequests = provider.counts().authorizationCode;
    const again = await runKubectl(['get', '--raw', '/version'], { kubeconfig, env });
    expect(again.code, again.stderr).toBe(0);
    expect(provider.counts().authorizationCode).toBe(tokenRequests);
    expect(readDriverLog(m.driverLog).launches).toBe(1);
  });

  it('the --no-login fix shows a placeholder, never the secret (a quote in it, or only 5 characters)', async () => {
    for (const secret of [`it's-a-"secret"-value`, 's3cr3']) {
      for (const form of [[`--oidc-client-secret=${secret}`], ['--oidc-client-secret', secret]]) {
        const m = machine(confidential());
        const result = await runCli(['get-token', ...m.flags, ...form, '--no-login'], { env: { HOME: m.home } });
        expect(result.code).toBe(6);
        const fix = /^ {2}fix: log in once from a terminal \(later calls use the cached token\): (.*)$/m.exec(result.stderr)?.[1];
        expect(fix, result.stderr).toMatch(/^kube-login get-token .* '--oidc-client-secret=<secret>'$/);
        expect(fix).not.toContain('--no-login');
        expect(result.stderr).not.toContain(secret);
        expect(result.stderr).not.toContain(secret.replace(/'/g, `'\\''`));
        expect(result.stderr).not.toContain('s3cr3');
        expect(result.stderr).not.toContain('secret"');
      }
    }
  });
});
