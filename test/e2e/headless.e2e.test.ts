// The grants without a local browser, and background callers, through the real kubectl: a device code
// login, a CI robot with client credentials, and kubectl run with no terminal (spec.interactive false),
// where --no-login and the terminal-only grants fail at once instead of opening a browser or hanging.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixedMapping, startApiServer, type TestApiServer } from '../support/apiserver.js';
import { makeTempHome } from '../support/cli.js';
import { runKubectl, writeExecKubeconfig } from '../support/kubeconfig.js';
import { loginDriverEnv, readDriverLog } from '../support/login-driver-control.js';
import { kubeLoginArgv, loginDriverScript } from '../support/paths.js';
import { startProvider, type TestProvider } from '../support/provider.js';

interface WhoAmI {
  status: { userInfo: { username: string; groups?: string[] } };
}

const DRIVER = `${process.execPath} ${loginDriverScript}`;
/** No display, no SSH: what a container or a CI runner looks like. */
const HEADLESS = { DISPLAY: undefined, WAYLAND_DISPLAY: undefined, SSH_CONNECTION: undefined, SSH_TTY: undefined, SSH_CLIENT: undefined, WSL_DISTRO_NAME: undefined, WSL_INTEROP: undefined };

describe('headless logins and background callers through kubectl', () => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  beforeAll(async () => {
    provider = await startProvider();
    apiserver = await startApiServer(prefixedMapping(provider.issuer, provider.publicClientId));
  });
  afterAll(async () => {
    await apiserver?.stop();
    await provider?.stop();
  });

  const userFlags = (): string[] => [
    `--oidc-issuer-url=${provider.issuer}`,
    `--oidc-client-id=${provider.publicClientId}`,
    '--oidc-extra-scope=email,groups,offline_access',
  ];
  const kubeconfig = (home: string, fileName: string, args: string[]): string =>
    writeExecKubeconfig({ dir: home, fileName, server: apiserver.url, caFile: apiserver.caFile, ...kubeLoginArgv(['get-token', ...args]) });

  it('device code: kubectl auth whoami logs in once through the verification page, later commands use the cache', async () => {
    const home = makeTempHome();
    const log = join(home, 'driver.log');
    const config = kubeconfig(home, 'device.yaml', [...userFlags(), '--grant-type=device-code', `--browser-command=${DRIVER}`]);
    const env = { HOME: home, ...HEADLESS, ...loginDriverEnv({ log }) };

    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: config, env });
    expect(whoami.code, whoami.stderr).toBe(0);
    const user = (JSON.parse(whoami.stdout) as WhoAmI).status.userInfo;
    expect(user.username).toBe('oidc:demo@example.com');
    expect(user.groups).toEqual(['oidc:developers', 'oidc:viewers', 'system:authenticated']);
    // kubectl passes the plugin's stderr through: the person sees the code and where to enter it.
    expect(whoami.stderr).toMatch(/open http:\S+\/device on any device and enter the code [A-Z]{4}-[A-Z]{4}/);
    expect(readDriverLog(log).launches).toBe(1);
    const deviceRequests = provider.counts().deviceCode;

    const version = await runKubectl(['get', '--raw', '/version'], { kubeconfig: config, env });
    expect(version.code, version.stderr).toBe(0);
    expect(provider.counts().deviceCode).toBe(deviceRequests);
    expect(readDriverLog(log).launches).toBe(1);
  });

  it('client credentials: a CI robot is the client itself to the API server, from the cache on the next command', async () => {
    const home = makeTempHome();
    // A robot's token has no `email`: this API server maps the username from `sub`, the default.
    const robotApi = await startApiServer({ issuer: provider.issuer, audiences: [provider.publicClientId] });
    try {
      const config = writeExecKubeconfig({
        dir: home,
        fileName: 'ci.yaml',
        server: robotApi.url,
        caFile: robotApi.caFile,
        ...kubeLoginArgv([
          'get-token',
          `--oidc-issuer-url=${provider.issuer}`,
          `--oidc-client-id=${provider.confidentialClient.id}`,
          `--oidc-client-secret=${provider.confidentialClient.secret}`,
          '--grant-type=client-credentials',
          '--oidc-use-access-token',
        ]),
      });
      const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: config, env: { HOME: home, ...HEADLESS } });
      expect(whoami.code, whoami.stderr).toBe(0);
      expect((JSON.parse(whoami.stdout) as WhoAmI).status.userInfo.username).toBe(`${provider.issuer}#${provider.confidentialClient.id}`);
      expect(whoami.stderr).not.toContain(provider.confidentialClient.secret);
      const grants = provider.counts().clientCredentials;
      const version = await runKubectl(['get', '--raw', '/version'], { kubeconfig: config, env: { HOME: home, ...HEADLESS } });
      expect(version.code, version.stderr).toBe(0);
      expect(provider.counts().clientCredentials).toBe(grants);
    } finally {
      await robotApi.stop();
    }
  });

  it('background: with no terminal, --no-login and an empty cache fail at once, open nothing, and ask the provider nothing', async () => {
    const home = makeTempHome();
    const log = join(home, 'driver.log');
    const config = kubeconfig(home, 'editor.yaml', [...userFlags(), '--no-login', `--browser-command=${DRIVER}`]);
    const before = provider.counts().total;
    const result = await runKubectl(['get', '--raw', '/version'], { kubeconfig: config, env: { HOME: home, ...HEADLESS, ...loginDriverEnv({ log }) }, timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(15_000);
    expect(result.stderr).toContain('kube-login: could not get a token: no valid or refreshable token is cached, and --no-login forbids starting a login');
    expect(result.stderr).toContain('fix: log in once from a terminal (later calls use the cached token): kube-login get-token');
    expect(readDriverLog(log).launches).toBe(0);
    expect(provider.counts().total).toBe(before);
  });

  it('background: the same --no-login kubeconfig works once a login has filled the cache', async () => {
    const home = makeTempHome();
    const log = join(home, 'driver.log');
    const env = { HOME: home, ...HEADLESS, ...loginDriverEnv({ log }) };
    // The person logs in once (kubectl with the browser-login kubeconfig; here the HTTP driver is the browser).
    const login = await runKubectl(['get', '--raw', '/version'], { kubeconfig: kubeconfig(home, 'terminal.yaml', [...userFlags(), '--listen-address=127.0.0.1:0', `--browser-command=${DRIVER}`]), env });
    expect(login.code, login.stderr).toBe(0);
    // The editor's kubeconfig differs only by --no-login: same cache key, so it is served from the cache.
    const editor = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: kubeconfig(home, 'editor.yaml', [...userFlags(), '--no-login']), env });
    expect(editor.code, editor.stderr).toBe(0);
    expect((JSON.parse(editor.stdout) as WhoAmI).status.userInfo.username).toBe('oidc:demo@example.com');
    expect(readDriverLog(log).launches).toBe(1);
  });

  it('background: a grant that needs a terminal (authcode-keyboard) is refused at once under kubectl', async () => {
    const home = makeTempHome();
    const config = kubeconfig(home, 'keyboard.yaml', [...userFlags(), '--grant-type=authcode-keyboard']);
    const before = provider.counts().authorizationCode;
    const result = await runKubectl(['get', '--raw', '/version'], { kubeconfig: config, env: { HOME: home, ...HEADLESS }, timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(15_000);
    // kubectl's stdin is not a terminal here, so it tells the plugin spec.interactive=false (SPECS A.5).
    expect(result.stderr).toContain(
      'kube-login: could not log in with the authcode-keyboard grant: it needs a terminal to read the code you paste, and kubectl ran kube-login without a terminal (KUBERNETES_EXEC_INFO has spec.interactive false)',
    );
    expect(provider.counts().authorizationCode).toBe(before);
  });
});
