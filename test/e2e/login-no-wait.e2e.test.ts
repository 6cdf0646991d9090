// `kube-login login --no-wait`, as a coding agent or a CI job uses it: start the login, hand the URL to
// a person, carry on; the person's click (the HTTP login driver, a few seconds later) finishes it in a
// detached kube-login, and the real kubectl then works with no further login.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixedMapping, startApiServer, type TestApiServer } from '../support/apiserver.js';
import { type CliResult, makeTempHome, runCli } from '../support/cli.js';
import { runKubectl, writeExecKubeconfig } from '../support/kubeconfig.js';
import { loginDriverEnv, readDriverLog } from '../support/login-driver-control.js';
import { kubeLoginArgv, loginDriverScript } from '../support/paths.js';
import { startProvider, type TestProvider } from '../support/provider.js';
import { runProcess } from '../support/run-process.js';

interface NoWaitJson {
  context: string | null;
  url: string;
  userCode?: string;
  expiresAt: string;
  grant: 'authcode' | 'device-code';
  started: boolean;
  pid: number;
  logFile: string;
}

interface StatusJson {
  context?: string;
  sessions: Array<{ loggedIn: boolean; idToken?: { state: string }; pendingLogin?: { url: string; grant: string; pid: number; logFile: string } }>;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 250 ms for up to `limitMs` (a bound against hangs, not a timing assertion). */
async function eventually(check: () => boolean | Promise<boolean>, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(250);
  }
}

describe('login --no-wait', () => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  const started: number[] = [];
  beforeAll(async () => {
    provider = await startProvider();
    apiserver = await startApiServer(prefixedMapping(provider.issuer, provider.publicClientId));
  });
  afterAll(async () => {
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await apiserver?.stop();
    await provider?.stop();
  });

  /** A person's machine: a kubeconfig whose context `dev` runs kube-login, and the commands an agent runs. */
  const setUp = (extraArgs: string[] = []) => {
    const home = makeTempHome();
    const driverLog = join(home, 'driver.log');
    const cacheDir = join(home, '.kube', 'cache', 'kube-login');
    const kubeconfig = writeExecKubeconfig({
      dir: home,
      server: apiserver.url,
      caFile: apiserver.caFile,
      contextName: 'dev',
      ...kubeLoginArgv([
        'get-token',
        `--oidc-issuer-url=${provider.issuer}`,
        `--oidc-client-id=${provider.publicClientId}`,
        '--oidc-extra-scope=email,groups,offline_access',
        `--browser-command=${process.execPath} ${loginDriverScript}`,
        '--listen-address=127.0.0.1:0',
        '--token-cache-storage=disk',
        '--authentication-timeout-sec=60',
        ...extraArgs,
      ]),
    });
    const env = { HOME: home, KUBECONFIG: kubeconfig, ...loginDriverEnv({ log: driverLog }) };
    const cli = (args: string[]): Promise<CliResult> => runCli(args, { env });
    // The agent never opens a browser itself: it hands the URL on (--skip-open-browser for this run).
    const noWait = async (args: string[] = []): Promise<{ result: CliResult; json: NoWaitJson }> => {
      const result = await cli(['login', '--no-wait', '--skip-open-browser', '-o', 'json', ...args]);
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as NoWaitJson;
      started.push(json.pid);
      return { result, json };
    };
    const status = async (): Promise<StatusJson> => JSON.parse((await cli(['status', '--context', 'dev', '-o', 'json'])).stdout) as StatusJson;
    /** The person opens the URL, as a browser would. */
    const person = (url: string) => runProcess(process.execPath, [loginDriverScript, url], { env: loginDriverEnv({ log: driverLog }), timeoutMs: 30_000 });
    const files = (): string[] => (existsSync(cacheDir) ? readdirSync(cacheDir) : []);
    return { home, cacheDir, kubeconfig, env, cli, noWait, status, person, files, driverLog };
  };

  it('returns with the URL before anyone logged in; a get-token meanwhile fails at once naming it; the person finishes it later and kubectl works', async () => {
    const m = setUp();
    const { result, json } = await m.noWait();
    expect(json).toMatchObject({ context: 'dev', grant: 'authcode', started: true });
    const url = new URL(json.url);
    expect(url.origin + url.pathname).toBe(`${provider.issuer}/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(result.stderr).toContain(`kube-login: a login is waiting for you on context dev until ${json.expiresAt}: open\n\n    ${json.url}\n`);
    expect(result.stderr).toContain(`log ${json.logFile}`);
    // Returned before the login was done: the detached process waits, nothing is cached yet.
    expect(alive(json.pid)).toBe(true);
    expect(m.files().filter((name) => name.endsWith('.json'))).toEqual([]);
    const pendingFile = m.files().find((name) => name.endsWith('.pending'));
    expect(pendingFile).toBeDefined();
    const pending = JSON.parse(readFileSync(join(m.cacheDir, pendingFile as string), 'utf8')) as Record<string, unknown>;
    // Where to log in and who waits, never a secret: the state, nonce and verifier stay in the process's memory.
    const allowed = new Set(['context', 'expiresAt', 'grant', 'host', 'logFile', 'pid', 'pidNamespace', 'startedAt', 'url']);
    expect(Object.keys(pending).filter((key) => !allowed.has(key))).toEqual([]);
    expect(pending['url']).toBe(json.url);
    const status = await m.status();
    expect(status.sessions[0]).toMatchObject({ loggedIn: false, pendingLogin: { url: json.url, grant: 'authcode', pid: json.pid, logFile: json.logFile } });
    const text = await m.cli(['status']);
    expect(text.stdout).toContain(`pending     a login is waiting for you (authcode, pid ${json.pid}) until ${json.expiresAt}: open ${json.url}`);
    const all = await m.cli(['status', '--all']);
    expect(all.stdout).toMatch(/^\* dev .*login needed: login pending/m);
    expect(all.stdout).toContain(`dev: a login is waiting for you until ${json.expiresAt}: open ${json.url}`);

    // kubectl in between: get-token fails at once, names the URL, opens no browser, starts no login.
    const authorizations = provider.authorizationPrompts().length;
    const meanwhile = await runKubectl(['auth', 'whoami'], { kubeconfig: m.kubeconfig, env: m.env });
    expect(meanwhile.code).not.toBe(0);
    expect(meanwhile.stderr).toContain(`kube-login: could not get a token: a login is waiting for you: open ${json.url}`);
    expect(readDriverLog(m.driverLog).launches).toBe(0);
    expect(provider.authorizationPrompts().length).toBe(authorizations);

    // A few seconds later the person opens the link.
    await sleep(2_000);
    const click = await m.person(json.url);
    expect(click.code, click.stdout).toBe(0);
    // The agent waits as docs/headless.md says: status -o json until it shows a token.
    expect(await eventually(async () => (await m.status()).sessions[0]?.loggedIn === true, 20_000)).toBe(true);
    expect(await eventually(() => !alive(json.pid), 10_000)).toBe(true);

    const codes = provider.counts().authorizationCode;
    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: m.kubeconfig, env: m.env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('oidc:demo@example.com');
    expect(provider.counts().authorizationCode).toBe(codes);
    expect(readDriverLog(m.driverLog).launches).toBe(1);
    // Nothing is left waiting: no pending file, no lock; the log names no token.
    expect(m.files().filter((name) => name.endsWith('.pending') || name.endsWith('.lock'))).toEqual([]);
    const log = readFileSync(json.logFile, 'utf8');
    expect(log).toContain('the login is done');
    for (const token of provider.issuedTokens()) expect(log.includes(token)).toBe(false);

    // Once a refresh token works, --no-wait needs nobody: it refreshes and starts nothing.
    const later = await m.cli(['login', '--no-wait', '-o', 'json']);
    expect(later.code, later.stderr).toBe(0);
    expect(JSON.parse(later.stdout)).toMatchObject({ context: 'dev', loggedIn: true, source: 'refresh', username: 'demo@example.com' });
    expect(m.files().filter((name) => name.endsWith('.pending'))).toEqual([]);
  });

  it('two --no-wait calls at once give one URL and one authorization request', async () => {
    const m = setUp();
    const before = provider.authorizationPrompts().length;
    const [a, b] = await Promise.all([m.noWait(), m.noWait()]);
    expect(a.json.url).toBe(b.json.url);
    expect(a.json.pid).toBe(b.json.pid);
    expect([a.json.started, b.json.started].sort()).toEqual([false, true]);
    const again = await m.noWait();
    expect(again.json).toMatchObject({ url: a.json.url, started: false });
    expect(again.result.stderr).toContain('a login was already waiting for you');
    const click = await m.person(a.json.url);
    expect(click.code, click.stdout).toBe(0);
    expect(await eventually(async () => (await m.status()).sessions[0]?.loggedIn === true, 20_000)).toBe(true);
    expect(provider.authorizationPrompts().length - before).toBe(1);
  });

  it('a pending login past its timeout leaves no process, no lock and no pending file', async () => {
    const m = setUp();
    const { json } = await m.noWait(['--authentication-timeout-sec', '2']);
    const redirect = new URL(new URL(json.url).searchParams.get('redirect_uri') as string);
    expect(await eventually(() => !alive(json.pid), 15_000)).toBe(true);
    expect(m.files().filter((name) => !name.endsWith('.log'))).toEqual([]);
    expect(readFileSync(json.logFile, 'utf8')).toContain('nobody completed the login within 2 seconds');
    await expect(fetch(`http://127.0.0.1:${redirect.port}/`)).rejects.toThrow();
    const status = await m.status();
    expect(status.sessions[0]?.loggedIn).toBe(false);
    expect(status.sessions[0]?.pendingLogin).toBeUndefined();
  });

  it('logout cancels a pending login: the process exits and the listener closes', async () => {
    const m = setUp();
    const { json } = await m.noWait();
    const redirect = new URL(new URL(json.url).searchParams.get('redirect_uri') as string);
    expect((await fetch(`http://127.0.0.1:${redirect.port}/favicon.ico`)).status).toBe(404);
    const logout = await m.cli(['logout']);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain(`kube-login: cancelled the login that was waiting for you (authcode, pid ${json.pid})`);
    expect(alive(json.pid)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${redirect.port}/`)).rejects.toThrow();
    expect(m.files().filter((name) => !name.endsWith('.log'))).toEqual([]);
    expect(readFileSync(json.logFile, 'utf8')).toContain('interrupted by SIGTERM');
  });

  it('clean cancels a pending login too, so nothing writes the cache after it', async () => {
    const m = setUp();
    const { json } = await m.noWait();
    const clean = await m.cli(['clean']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toContain('1 pending login (cancelled)');
    expect(alive(json.pid)).toBe(false);
    expect(m.files()).toEqual([]);
  });

  it('says before detaching when no listen address is free', async () => {
    const m = setUp();
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const result = await m.cli(['login', '--no-wait', '--skip-open-browser', '--listen-address', `127.0.0.1:${port}`]);
      expect(result.code).toBe(7);
      expect(result.stderr).toContain(`127.0.0.1:${port}`);
      expect(m.files().filter((name) => name.endsWith('.pending') || name.endsWith('.lock'))).toEqual([]);
    } finally {
      busy.close();
    }
  });

  it('the device-code variant gives the verification URI and the user code, and completes after approval', async () => {
    const m = setUp(['--grant-type=device-code']);
    const devices = provider.requests().filter((request) => request.route === 'device_authorization').length;
    const { result, json } = await m.noWait();
    expect(json).toMatchObject({ context: 'dev', grant: 'device-code', url: `${provider.issuer}/device` });
    expect(json.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(result.stderr).toContain(`and enter the code ${json.userCode}`);
    expect(provider.requests().filter((request) => request.route === 'device_authorization').length - devices).toBe(1);
    await sleep(1_000);
    const approve = await m.person(`${json.url}?user_code=${json.userCode}`);
    expect(approve.code, approve.stdout).toBe(0);
    expect(await eventually(async () => (await m.status()).sessions[0]?.loggedIn === true, 30_000)).toBe(true);
    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig: m.kubeconfig, env: m.env });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout).status.userInfo.username).toBe('oidc:demo@example.com');
  });
});
