// The client credentials grant for CI robots through the built CLI: the confidential client gets a JWT
// access token (no ID token: oidc-provider, like other providers, issues none for this grant), which
// the stand-in API server accepts; the access-token-only set is cached and served by the fast path.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApiServer, selfSubjectReviewAs, startApiServer } from '../../support/apiserver.js';
import { runCli } from '../../support/cli.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { claimsOf, cleanEnv, credentialOf, freshHome } from './harness.js';

// client_secret_basic is what kube-login tries first (RFC 6749 2.3.1); a client registered for
// client_secret_post only is reached through the fallback on invalid_client.
describe.each(['client_secret_basic', 'client_secret_post'] as const)('client credentials grant (%s client)', (authMethod) => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  let flags: string[];
  beforeAll(async () => {
    provider = await startProvider({ confidentialAuthMethod: authMethod });
    apiserver = await startApiServer({ issuer: provider.issuer, audiences: [provider.publicClientId] });
    flags = [
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.confidentialClient.id}`,
      `--oidc-client-secret=${provider.confidentialClient.secret}`,
      '--grant-type=client-credentials',
      '--token-cache-storage=disk',
    ];
  });
  afterAll(async () => {
    await apiserver?.stop();
    await provider?.stop();
  });

  it('emits the access token with --oidc-use-access-token; the API server accepts it as the client', async () => {
    const home = freshHome();
    const result = await runCli(['get-token', ...flags, '--oidc-use-access-token'], { env: cleanEnv(home) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`kube-login: got a token for the client ${provider.confidentialClient.id} (client credentials grant)\n`);
    const printed = credentialOf({ ...result, output: result.stderr });
    const claims = claimsOf(printed.status.token);
    expect(claims).toMatchObject({ iss: provider.issuer, sub: provider.confidentialClient.id, aud: 'kube-login' });
    // The expiry told to kubectl follows the access token's expires_in, minus the margin.
    const exp = claims['exp'] as number;
    const iat = claims['iat'] as number;
    expect(Date.parse(printed.status.expirationTimestamp) / 1000).toBeGreaterThanOrEqual(exp - Math.min(60, Math.floor((exp - iat) / 10)) - 2);
    expect(Date.parse(printed.status.expirationTimestamp) / 1000).toBeLessThan(exp);
    const review = await selfSubjectReviewAs(apiserver, printed.status.token);
    expect(review.status).toBe(201);
    expect(review.body).toMatchObject({ status: { userInfo: { username: `${provider.issuer}#${provider.confidentialClient.id}` } } });
  });

  it('caches the access-token-only set: the next call is a cache hit with no request to the provider', async () => {
    const home = freshHome();
    const first = await runCli(['get-token', ...flags, '--oidc-use-access-token'], { env: cleanEnv(home) });
    expect(first.code, first.stderr).toBe(0);
    const cacheDir = join(home, '.kube', 'cache', 'kube-login');
    const [entryName] = readdirSync(cacheDir).filter((name) => name.endsWith('.json'));
    const entry = JSON.parse(readFileSync(join(cacheDir, entryName as string), 'utf8')) as { times: Record<string, number>; secrets: Record<string, string> };
    expect(Object.keys(entry.times).sort()).toEqual(['accessTokenExpiresAt', 'accessTokenIssuedAt']);
    expect(Object.keys(entry.secrets)).toEqual(['accessToken']);

    const before = provider.counts().total;
    const hit = await runCli(['get-token', ...flags, '--oidc-use-access-token'], { env: cleanEnv(home) });
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.stderr).toBe('');
    expect(credentialOf({ ...hit, output: hit.stderr }).status.token).toBe(credentialOf({ ...first, output: first.stderr }).status.token);
    expect(provider.counts().total).toBe(before);
  });

  it('without --oidc-use-access-token: a usage error naming the flag, and nothing cached', async () => {
    const home = freshHome();
    const result = await runCli(['get-token', ...flags], { env: cleanEnv(home) });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'kube-login: could not get a token with the client credentials grant: the provider issued only an access token (providers issue no ID token for this grant), and the ID token is what kube-login sends by default\n' +
        '  fix: add --oidc-use-access-token, and make the cluster accept the access token: its `iss`, and an `aud` the API server expects\n',
    );
    expect(readdirSync(join(home, '.kube', 'cache', 'kube-login')).filter((name) => name.endsWith('.json'))).toEqual([]);
  });

  it('without a client secret: a usage error before any request', async () => {
    const home = freshHome();
    const before = provider.counts().total;
    const result = await runCli(['get-token', ...flags.filter((flag) => !flag.startsWith('--oidc-client-secret')), '--oidc-use-access-token'], { env: cleanEnv(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kube-login: could not use --grant-type client-credentials: it needs a confidential client, and --oidc-client-secret is missing\n/);
    expect(provider.counts().total).toBe(before);
  });
});
