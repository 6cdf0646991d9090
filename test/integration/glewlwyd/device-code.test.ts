// The device authorization grant (RFC 8628) against glewlwyd: the user approves the code on
// glewlwyd's device page with a logged-in session; kube-login polls until then.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Glewlwyd, startGlewlwyd } from '../../support/glewlwyd.js';
import { claimsOf, credential, glewlwydMachine } from './harness.js';

describe('device-code grant against glewlwyd', () => {
  let idp: Glewlwyd;
  beforeAll(async () => {
    idp = await startGlewlwyd();
  });
  afterAll(() => idp?.stop());

  it('logs in with the device code approved on glewlwyd, then answers from the cache', async () => {
    const m = glewlwydMachine(idp, { extraFlags: ['--grant-type=device-code'] });
    const first = await m.getToken();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/enter the code/);
    const token = credential(first).status.token;
    expect(claimsOf(token)['email']).toBe(idp.user.email);
    expect(m.driver().results, first.stderr + first.stdout).toEqual(['ok']);
    const again = await m.getToken();
    expect(credential(again).status.token).toBe(token);
    expect(m.driver().launches).toBe(1);
  });
});
