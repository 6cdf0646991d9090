// The authcode-keyboard grant through the built CLI on a pseudo-terminal: the person opens the URL
// elsewhere (the HTTP driver), the redirect lands nowhere kube-login listens (here a capture server
// stands in for the browser's address bar), and the person pastes the address or the code.
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { loginDriverScript } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { runProcess } from '../../support/run-process.js';
import { claimsOf, cleanEnv, credentialOf, execInfo, freshHome, startCli } from './harness.js';

/** Plays the browser's address bar: records the URL the provider redirected to. */
async function startAddressBar(): Promise<{ port: number; last(): string | undefined; server: Server }> {
  let last: string | undefined;
  const server = createServer((req, res) => {
    last = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url ?? '/'}`;
    // What a browser shows when nothing listens is an error page; any answer ends the driver's walk.
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('this page would not load in a real browser');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as AddressInfo).port, last: () => last, server };
}

/** Logs in at the printed URL over HTTP, as the person would in any browser; returns the address bar. */
async function personLogsIn(url: string, bar: { last(): string | undefined }): Promise<string> {
  const person = await runProcess(process.execPath, [loginDriverScript, url], { timeoutMs: 30_000 });
  expect(person.code, person.stdout).toBe(0);
  const address = bar.last();
  if (!address) throw new Error('the provider did not redirect to the keyboard redirect URI');
  return address;
}

const URL_PATTERN = /^ {4}(http:\/\/127\.0\.0\.1:\d+\/auth\?\S+)\r?$/m;
const PROMPT = /Paste the address or the code \(the input is hidden\): /;

describe('authcode-keyboard grant', () => {
  let provider: TestProvider;
  let bar: Awaited<ReturnType<typeof startAddressBar>>;
  let flags: string[];
  beforeAll(async () => {
    provider = await startProvider();
    bar = await startAddressBar();
    flags = [
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.publicClientId}`,
      '--oidc-extra-scope=email,groups,offline_access',
      '--token-cache-storage=disk',
      '--grant-type=authcode-keyboard',
      '--oidc-redirect-url-hostname=127.0.0.1',
      `--listen-address=127.0.0.1:${bar.port}`,
    ];
  });
  afterAll(async () => {
    bar?.server.close();
    await provider?.stop();
  });

  it('takes the pasted address, without echoing it, and caches the tokens', async () => {
    const home = freshHome();
    const live = startCli(['get-token', ...flags], { env: cleanEnv(home), terminal: true });
    const [, url] = await live.waitFor(URL_PATTERN);
    expect(new URL(url as string).searchParams.get('redirect_uri')).toBe(`http://127.0.0.1:${bar.port}/`);
    const address = await personLogsIn(url as string, bar);
    await live.waitFor(PROMPT);
    live.write(`${address}\r`);
    const result = await live.done;
    expect(result.code, result.output).toBe(0);
    expect(claimsOf(credentialOf(result).status.token)).toMatchObject({ sub: 'demo-user', email: 'demo@example.com' });
    const code = new URL(address).searchParams.get('code') as string;
    expect(result.output).not.toContain(code);
    expect(result.output).toContain('received the code');
    expect(result.output).toContain('logged in as demo@example.com');

    const before = provider.counts().total;
    const hit = await runCli(['get-token', ...flags], { env: cleanEnv(home) });
    expect(hit.code, hit.stderr).toBe(0);
    expect(provider.counts().total).toBe(before);
  });

  it('refuses an address from another login (wrong state), asks again, then takes the right one', async () => {
    const home = freshHome();
    const live = startCli(['get-token', ...flags], { env: cleanEnv(home), terminal: true });
    const [, url] = await live.waitFor(URL_PATTERN);
    const address = await personLogsIn(url as string, bar);
    const forged = new URL(address);
    forged.searchParams.set('state', 'state-of-some-other-login');
    await live.waitFor(PROMPT);
    live.write(`${forged.href}\r`);
    // Type only once the second prompt is up: before it the terminal is in cooked mode and would echo.
    await live.waitFor(/that URL belongs to another login \(its state does not match\)[^\n]*; try again\r?\n[^\n]*Paste the address or the code \(the input is hidden\): /);
    live.write(`${address}\r`);
    const result = await live.done;
    expect(result.code, result.output).toBe(0);
    expect(claimsOf(credentialOf(result).status.token)['sub']).toBe('demo-user');
    // The forged address was not exchanged: exactly one authorization code request reached the provider.
    expect(result.output.match(/Paste the address/g)).toHaveLength(2);
  });

  it('takes the bare code too: PKCE binds it to this login', async () => {
    const home = freshHome();
    const before = provider.counts().authorizationCode;
    const live = startCli(['get-token', ...flags], { env: cleanEnv(home), terminal: true });
    const [, url] = await live.waitFor(URL_PATTERN);
    const code = new URL(await personLogsIn(url as string, bar)).searchParams.get('code') as string;
    await live.waitFor(PROMPT);
    live.write(`${code}\r`);
    const result = await live.done;
    expect(result.code, result.output).toBe(0);
    expect(claimsOf(credentialOf(result).status.token)['sub']).toBe('demo-user');
    expect(provider.counts().authorizationCode).toBe(before + 1);
  });

  it('cancels on Ctrl-C at the prompt (read in raw mode) with exit code 130', async () => {
    const home = freshHome();
    const live = startCli(['get-token', ...flags], { env: cleanEnv(home), terminal: true });
    await live.waitFor(PROMPT);
    live.signal('SIGINT');
    const result = await live.done;
    expect(result.code).toBe(130);
    expect(result.output).toMatch(/could not read the answer from the terminal: interrupted by Ctrl-C/);
  });

  it('is refused at once without a terminal (stdin /dev/null), naming the command to run in one', async () => {
    const home = freshHome();
    const before = provider.counts();
    const result = await runCli(['get-token', ...flags], { env: cleanEnv(home) });
    expect(result.code).toBe(6);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'kube-login: could not log in with the authcode-keyboard grant: it needs a terminal to read the code you paste, and standard error is not a terminal, so nobody would see a question\n' +
        `  fix: log in once from a terminal (later calls use the cached token): kube-login get-token ${flags.join(' ')}\n`,
    );
    // Bounded far below a login (180 s): it was refused at once, it did not wait.
    expect(result.durationMs).toBeLessThan(15_000);
    expect(provider.counts().authorizationCode).toBe(before.authorizationCode);
  });

  it('is refused when kubectl says spec.interactive is false, even on a terminal', async () => {
    const home = freshHome();
    const live = startCli(['get-token', ...flags], { env: cleanEnv(home, { KUBERNETES_EXEC_INFO: execInfo(false) }), terminal: true });
    const result = await live.done;
    expect(result.code).toBe(6);
    expect(result.output).toContain('kubectl ran kube-login without a terminal (KUBERNETES_EXEC_INFO has spec.interactive false)');
    expect(result.stdout).toBe('');
  });
});
