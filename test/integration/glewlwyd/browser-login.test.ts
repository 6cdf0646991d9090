// get-token against glewlwyd 2.7.5, a second, independent OpenID Provider: the authorization code flow
// through its login API, the cache hit, and the exact redirect URIs it requires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Glewlwyd, startGlewlwyd } from '../../support/glewlwyd.js';
import { claimsOf, credential, glewlwydMachine } from './harness.js';

describe('get-token against glewlwyd', () => {
  let idp: Glewlwyd;
  beforeAll(async () => {
    idp = await startGlewlwyd();
  });
  afterAll(() => idp?.stop());

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
