// The cluster side end to end: kube-login generates an AuthenticationConfiguration for a real
// oidc-provider (https, private CA), the stand-in API server loads that very file, kubectl logs in
// through `kube-login get-token`, and `kubectl auth whoami` shows exactly what `--check-token`
// predicted; a required claim the token lacks is rejected by both with the same reason.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApiServer, startApiServer } from '../support/apiserver.js';
import { makeTempHome, runCli } from '../support/cli.js';
import { runKubectl, writeExecKubeconfig } from '../support/kubeconfig.js';
import { loginDriverEnv, readDriverLog } from '../support/login-driver-control.js';
import { kubeLoginArgv, loginDriverScript } from '../support/paths.js';
import { type TestProvider, startProvider } from '../support/provider.js';

interface WhoAmI {
  status: { userInfo: { username: string; groups: string[] } };
}

/** The user `--check-token` printed on stderr (`  Username: …`, `  Groups:   [a b]`). */
function predictedUser(stderr: string): { username: string; groups: string[] } {
  const username = /^ {2}Username: (.*)$/m.exec(stderr)?.[1];
  const groups = /^ {2}Groups: {3}\[(.*)\]$/m.exec(stderr)?.[1];
  if (username === undefined || groups === undefined) throw new Error(`no prediction in:\n${stderr}`);
  return { username, groups: groups === '' ? [] : groups.split(' ') };
}

describe('apiserver-config end to end: generated config, stand-in API server, get-token, kubectl auth whoami', () => {
  let provider: TestProvider;
  const apiservers: TestApiServer[] = [];
  let home: string;
  let env: Record<string, string> & { HOME: string };
  let mapping: string[];
  let getTokenArgs: string[];

  beforeAll(async () => {
    // An extra claim rides on the openid scope, so the ID token carries `department`.
    provider = await startProvider({ https: true, user: { department: 'platform' } });
    home = makeTempHome();
    env = { HOME: home, ...loginDriverEnv({ log: join(home, 'driver.log'), caFile: provider.caFile ?? '' }) };
    mapping = [
      '--oidc-issuer-url', provider.issuer,
      '--oidc-client-id', provider.publicClientId,
      '--ca-file', provider.caFile ?? '',
      '--username-claim', 'email',
      '--username-prefix', 'oidc:',
      '--groups-claim', 'groups',
      '--groups-prefix', 'oidc:',
    ];
    getTokenArgs = [
      'get-token',
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.publicClientId}`,
      `--certificate-authority=${provider.caFile ?? ''}`,
      '--oidc-extra-scope=email,groups',
      `--browser-command=${process.execPath} ${loginDriverScript}`,
      '--listen-address=127.0.0.1:0',
    ];
  });

  afterAll(async () => {
    for (const apiserver of apiservers) await apiserver.stop();
    await provider?.stop();
  });

  /** Generates a configuration file with the built CLI (online: discovery is checked). */
  async function generate(name: string, extra: string[]): Promise<string> {
    const file = join(home, name);
    const run = await runCli(['apiserver-config', ...mapping, ...extra, '--output', file], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    return file;
  }

  /** A kubeconfig for `apiserver` whose user runs the built `kube-login get-token`. */
  function kubeconfigFor(apiserver: TestApiServer, fileName: string): string {
    return writeExecKubeconfig({ dir: home, fileName, server: apiserver.url, caFile: apiserver.caFile, ...kubeLoginArgv(getTokenArgs) });
  }

  /** The ID token get-token serves (from the cache after kubectl's login), in a 0600 file for --check-token. */
  async function tokenFile(): Promise<string> {
    const run = await runCli(getTokenArgs, { env });
    expect(run.code, run.stderr).toBe(0);
    const credential = JSON.parse(run.stdout) as { status: { token: string } };
    const file = join(home, 'id-token');
    writeFileSync(file, credential.status.token, { mode: 0o600 });
    chmodSync(file, 0o600);
    return file;
  }

  it('kubectl auth whoami shows exactly the user --check-token predicted', async () => {
    const config = await generate('authn.yaml', ['--required-claim', 'department=platform']);
    expect(readFileSync(config, 'utf8')).toContain('apiVersion: apiserver.config.k8s.io/v1\n');
    const apiserver = await startApiServer({ authenticationConfigFile: config });
    apiservers.push(apiserver);

    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: kubeconfigFor(apiserver, 'kubeconfig.yaml'), env });
    expect(whoami.code, whoami.stderr).toBe(0);
    const actual = (JSON.parse(whoami.stdout) as WhoAmI).status.userInfo;
    expect(readDriverLog(join(home, 'driver.log')).launches).toBe(1);

    const token = await tokenFile();
    const check = await runCli(['apiserver-config', ...mapping, '--required-claim', 'department=platform', '--check-token', token], { env });
    expect(check.code, check.stderr).toBe(0);
    expect(check.stderr).not.toContain(readFileSync(token, 'utf8'));
    const predicted = predictedUser(check.stderr);

    expect(predicted).toEqual({ username: actual.username, groups: actual.groups });
    expect(actual).toMatchObject({ username: 'oidc:demo@example.com', groups: ['oidc:developers', 'oidc:viewers', 'system:authenticated'] });
    expect(apiserver.rejections()).toEqual([]);
  });

  it('a required claim the token lacks is rejected by both, with the same reason', async () => {
    const config = await generate('authn-tier.yaml', ['--required-claim', 'tier=gold']);
    const apiserver = await startApiServer({ authenticationConfigFile: config });
    apiservers.push(apiserver);

    const token = await tokenFile();
    const check = await runCli(['apiserver-config', ...mapping, '--required-claim', 'tier=gold', '--check-token', token, '--output', join(home, 'never.yaml')], { env });
    expect(check.code).toBe(11);
    const reason = /could not authenticate the ID token as kube-apiserver would: (.*)$/m.exec(check.stderr)?.[1];
    expect(reason).toBe('oidc: required claim tier not present in ID token');
    expect(existsSync(join(home, 'never.yaml'))).toBe(false);

    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: kubeconfigFor(apiserver, 'kubeconfig-tier.yaml'), env });
    expect(whoami.code).not.toBe(0);
    expect(apiserver.rejections().length).toBeGreaterThan(0);
    expect(new Set(apiserver.rejections())).toEqual(new Set([reason]));
    // Both runs used the cached token: one browser login for the whole file.
    expect(readDriverLog(join(home, 'driver.log')).launches).toBe(1);
  });
});
