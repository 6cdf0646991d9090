// get-token against glewlwyd 2.7.5, a second, independent OpenID Provider: the authorization code flow
// through its login API, the cache hit, and the exact redirect URIs it requires.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Glewlwyd, startGlewlwyd } from '../../support/glewlwyd.js';
import { chromiumLoginScript } from '../../support/paths.js';
import { claimsOf, credential, glewlwydMachine } from './harness.js';

// One glewlwyd for the whole file (about a second to start and configure).
let idp: Glewlwyd;
beforeAll(async () => {
  idp = await startGlewlwyd();
});
afterAll(() => idp?.stop());

describe('get-token against glewlwyd', () => {
  it('logs in through the authorization code flow, then answers from the cache', async () => {
    const m = glewlwydMachine(idp);
    const first = await m.getToken();
    expect(first.code, first.stderr).toBe(0);
    const token = credential(first).status.token;
    const claims = claimsOf(token);
    expect(claims['iss']).toBe(idp.issuer);
    expect(claims['email']).toBe(idp.user.email);
    expect(claims['groups']).toEqual([...idp.user.groups]);
    expect(m.driver().results).toEqual(['ok']);
    expect(m.entry().secrets.refreshToken).toBeTruthy();

    const second = await m.getToken();
    expect(second.code, second.stderr).toBe(0);
    expect(credential(second).status.token).toBe(token);
    expect(m.driver().launches).toBe(1);
  });
});

describe('logout of a public client at glewlwyd', () => {
  it('names the refusal of the revocation endpoint (public clients cannot revoke there) and keeps the entry', async () => {
    const m = glewlwydMachine(idp);
    expect((await m.getToken()).code).toBe(0);
    const logout = await m.run(['logout', ...m.flags]);
    expect(logout.code).not.toBe(0);
    expect(logout.stderr).toMatch(/the revocation endpoint answered HTTP 40[013]/);
    expect(logout.stderr).toContain('kept the cached tokens, so that logout can revoke them later');
    expect(m.entry().secrets.refreshToken).toBeTruthy();
    const local = await m.run(['logout', ...m.flags, '--local-only']);
    expect(local.code, local.stderr).toBe(0);
  });
});

describe('refresh against glewlwyd (rotating refresh tokens, no ID token in the refresh answer)', () => {
  it('saves the rotated refresh token although the answer has no ID token, and says once why a login follows', async () => {
    const m = glewlwydMachine(idp);
    expect((await m.getToken()).code).toBe(0);
    const before = m.entry().secrets.refreshToken;
    const refreshed = await m.getToken(['--force-refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    const notices = refreshed.stderr.split('\n').filter((line) => /no ID token on refresh/.test(line));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/logging in again; .*longer lifetime at the provider/);
    expect(notices[0]).toMatch(/--oidc-use-access-token/);
    // The browser login that followed replaced the entry; its refresh token is alive.
    expect(m.driver().launches).toBe(2);
    expect(m.entry().secrets.refreshToken === before, 'the token must have changed').toBe(false);
  });

  it('never loses the grant: after a refresh with no ID token, the saved refresh token still works', async () => {
    const m = glewlwydMachine(idp);
    expect((await m.getToken()).code).toBe(0);
    // The browser is gone now: any login fails, so the run can only succeed or fail on the refresh.
    const noBrowser = { LOGIN_DRIVER_PASSWORD: 'wrong-password' };
    const first = await m.getToken(['--force-refresh', '--authentication-timeout-sec=2'], { env: noBrowser, timeoutMs: 20_000 });
    expect(first.code).not.toBe(0);
    const rotated = m.entry().secrets.refreshToken;
    // The saved (rotated) refresh token is still good at glewlwyd: access-token mode refreshes with it.
    const again = await m.getToken(['--force-refresh', '--oidc-use-access-token'], { env: noBrowser, timeoutMs: 20_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(m.entry().secrets.refreshToken === rotated, 'the token must have changed').toBe(false);
    expect(m.driver().results).toEqual(['ok', 'error']);
  });
});

describe('access-token mode against glewlwyd', () => {
  it('--oidc-use-access-token: a refresh that returns an access token is a success, with no new login', async () => {
    const m = glewlwydMachine(idp, { extraFlags: ['--oidc-use-access-token'] });
    const first = await m.getToken();
    expect(first.code, first.stderr).toBe(0);
    const token = credential(first).status.token;
    expect(claimsOf(token)['type']).toBe('access_token');
    const refreshed = await m.getToken(['--force-refresh']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(credential(refreshed).status.token === token, 'the token must have changed').toBe(false);
    expect(claimsOf(credential(refreshed).status.token)['type']).toBe('access_token');
    expect(m.driver().launches).toBe(1);
    expect(refreshed.stderr).not.toMatch(/logging in again/);
  });
});

// Debian's chromium is installed by .ci/run; elsewhere this test says loudly that it was skipped.
const chromium = existsSync('/usr/bin/chromium');
if (!chromium) console.warn('\n*** SKIPPED: glewlwyd\'s login page in headless Chromium (no /usr/bin/chromium: run `apt-get install chromium`) ***\n');

// In CI a missing browser fails the suite instead of skipping it.
describe.skipIf(!chromium && !process.env['CI'])('glewlwyd login page in headless Chromium', () => {
  it('logs in through glewlwyd\'s own login page (password, grant, continue) in Chromium', async () => {
    const m = glewlwydMachine(idp, { browserScript: chromiumLoginScript });
    const result = await m.getToken([], { timeoutMs: 60_000, env: { LOGIN_DRIVER_TIMEOUT_MS: '45000' } });
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(claimsOf(credential(result).status.token)['email']).toBe(idp.user.email);
    expect(m.driver().results).toEqual(['ok']);
    expect(readFileSync(m.driverLog, 'utf8')).toMatch(/^launch driver=chromium/);
  });
});
