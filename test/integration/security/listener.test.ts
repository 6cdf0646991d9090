// Issue 9 item 1: the loopback listener, probed as an attacker would (a DNS-rebinding page sends a
// foreign Host; another local user sends anything) during a real login against oidc-provider. No
// answer may carry the authorization URL, state, nonce or PKCE challenge, and the login still completes.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { claimsOf, credential, machine } from '../get-token/harness.js';

interface Probe {
  name: string;
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
}

describe('the loopback listener under attack', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider.stop());

  it('refuses foreign Host headers with 421, gives nothing of the login away, and the real callback still completes', async () => {
    const m = machine(provider);
    const probeFile = join(m.home, 'probe.json');
    const result = await m.run([], { driver: { probeFile } });
    expect(result.code, result.stderr).toBe(0);
    expect(claimsOf(credential(result).status.token)).toMatchObject({ iss: provider.issuer, sub: 'demo-user' });

    const { authorizationUrl, probes } = JSON.parse(readFileSync(probeFile, 'utf8')) as { authorizationUrl: string; probes: Probe[] };
    const auth = new URL(authorizationUrl);
    const secrets = {
      state: auth.searchParams.get('state') as string,
      nonce: auth.searchParams.get('nonce') as string,
      code_challenge: auth.searchParams.get('code_challenge') as string,
      'authorization URL': `${auth.origin}${auth.pathname}`,
    };
    for (const value of Object.values(secrets)) expect(value.length).toBeGreaterThan(8);

    const statuses = Object.fromEntries(probes.map((probe) => [probe.name, probe.status]));
    expect(statuses).toEqual({
      'foreign-host-root': 421,
      'foreign-host-callback': 421,
      'foreign-host-login': 421,
      'foreign-host-wrong-port': 421,
      'wrong-state': 400,
      'no-state': 400,
      'error-wrong-state': 400,
      'not-found': 404,
      'login-path': 404,
      post: 404,
      root: 400,
    });
    for (const probe of probes) {
      const seen = `${JSON.stringify(probe.headers)}\n${probe.body}`;
      for (const [what, value] of Object.entries(secrets)) {
        expect(seen.includes(value), `${probe.name} answered with the ${what}`).toBe(false);
      }
      expect(probe.headers['location'], probe.name).toBeUndefined();
      if (probe.status === 421) expect(probe.body).toBe('Misdirected Request\n');
      else expect(probe.body).toContain('Return to the terminal');
    }
    // The person is told once, on stderr, that something knocked with another host name.
    expect(result.stderr.match(/ignored a request to the login listener for another host name/g)).toHaveLength(1);
    expect(result.stderr).toContain('Host: "attacker.example:');
  });
});
