// Real expiry against glewlwyd, whose tokens here live 4 s: the refresh answer has a new access token,
// a rotated refresh token and no ID token. In access-token mode that is a refresh; in ID-token mode a
// login follows, and the rotated refresh token was kept meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Glewlwyd, startGlewlwyd } from '../../support/glewlwyd.js';
import { claimsOf, credential, glewlwydMachine } from './harness.js';

const LIFETIME = 4;

describe('expiry against glewlwyd (no ID token on refresh)', () => {
  let idp: Glewlwyd;
  beforeAll(async () => {
    idp = await startGlewlwyd({ accessTokenDuration: LIFETIME });
  });
  afterAll(() => idp?.stop());

  it('refreshes an expired access token without a login, and logs in again for an expired ID token', async () => {
    const accessMode = glewlwydMachine(idp, { extraFlags: ['--oidc-use-access-token'] });
    const idMode = glewlwydMachine(idp, { port: idp.redirectPorts[1] });
    const [a1, i1] = await Promise.all([accessMode.getToken(), idMode.getToken()]);
    expect(a1.code, a1.stderr).toBe(0);
    expect(i1.code, i1.stderr).toBe(0);
    // Each token lives LIFETIME seconds (the two logins may fall in different seconds).
    const [access, id] = [claimsOf(credential(a1).status.token), claimsOf(credential(i1).status.token)];
    expect(Number(access['exp']) - Number(access['iat'])).toBe(LIFETIME);
    expect(Number(id['exp']) - Number(id['iat'])).toBe(LIFETIME);
    const exp = Math.max(Number(access['exp']), Number(id['exp']));
    const idRefresh = idMode.entry().secrets.refreshToken;
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 200));

    const [a2, i2] = await Promise.all([accessMode.getToken(['-v']), idMode.getToken()]);
    expect(a2.code, a2.stderr).toBe(0);
    expect(credential(a2).status.token === credential(a1).status.token, 'the token must have changed').toBe(false);
    expect(a2.stderr).toContain('refreshed the token');
    expect(accessMode.driver().launches).toBe(1);

    expect(i2.code, i2.stderr).toBe(0);
    expect(i2.stderr.split('\n').filter((line) => line.includes('no ID token on refresh'))).toHaveLength(1);
    expect(idMode.driver().launches).toBe(2);
    expect(idMode.entry().secrets.refreshToken === idRefresh, 'the token must have changed').toBe(false);
  });
});
