// Client authentication of confidential clients (RFC 6749 2.3.1): the method from discovery, one retry
// with client_secret_post when HTTP Basic is refused in a way that may be about the client, and the
// working method remembered so later calls make one request. The provider is a fake fetch (pure logic);
// the same behaviour runs against glewlwyd in test/integration/glewlwyd/confidential-clients.test.ts.
import { describe, expect, it } from 'vitest';
import type { Fetch } from '../../../src/oidc/http.js';
import { type ClientAuthMemory, type ClientSecretMethod, connectProvider } from '../../../src/oidc/provider-client.js';

const ISSUER = 'http://127.0.0.1:9/idp';

interface Seen {
  auth: 'basic' | 'post' | 'none';
}

type Answer = { status: number; body?: string; headers?: Record<string, string> };

/** A provider whose token endpoint answers through `token`; records how each token request authenticated. */
function fakeProvider(token: (seen: Seen, form: URLSearchParams) => Answer, discovery: Record<string, unknown> = {}): { fetch: Fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetch: Fetch = async (input, init) => {
    const url = input;
    if (url.endsWith('/.well-known/openid-configuration')) {
      const document = { issuer: ISSUER, token_endpoint: `${ISSUER}/token`, revocation_endpoint: `${ISSUER}/revoke`, jwks_uri: `${ISSUER}/jwks`, ...discovery };
      return new Response(JSON.stringify(document), { headers: { 'content-type': 'application/json' } });
    }
    const headers = new Headers(init?.headers);
    const form = new URLSearchParams(String(init?.body ?? ''));
    const entry: Seen = { auth: headers.get('authorization')?.startsWith('Basic ') ? 'basic' : form.has('client_secret') ? 'post' : 'none' };
    seen.push(entry);
    const answer = token(entry, form);
    return new Response(answer.body ?? null, { status: answer.status, headers: answer.headers ?? {} });
  };
  return { fetch, seen };
}

const ok: Answer = { status: 200, body: JSON.stringify({ access_token: 'at-0123456789', token_type: 'bearer', expires_in: 60 }), headers: { 'content-type': 'application/json' } };

function memory(initial?: ClientSecretMethod): ClientAuthMemory & { stored: ClientSecretMethod | undefined } {
  const self = {
    stored: initial,
    read: async () => self.stored,
    write: async (method: ClientSecretMethod) => {
      self.stored = method;
    },
  };
  return self;
}

const connect = (fetch: Fetch, clientAuthMemory?: ClientAuthMemory) =>
  connectProvider({ issuerUrl: ISSUER, clientId: 'kube-login-robot', clientSecret: 'secret-0123456789', fetch, ...(clientAuthMemory ? { clientAuthMemory } : {}) });

describe('confidential client authentication', () => {
  it('retries once with client_secret_post after a Basic request refused with HTTP 403 and an empty body, and remembers it', async () => {
    const provider = fakeProvider((seen) => (seen.auth === 'post' ? ok : { status: 403 }));
    const remembered = memory();
    const connection = await connect(provider.fetch, remembered);
    await connection.clientCredentialsGrant(['kube-api'], {});
    expect(provider.seen.map((seen) => seen.auth)).toEqual(['basic', 'post']);
    expect(remembered.stored).toBe('client_secret_post');
    // Later calls in this run, and later runs that read the memory, make one request.
    await connection.clientCredentialsGrant(['kube-api'], {});
    const later = await connect(provider.fetch, remembered);
    await later.clientCredentialsGrant(['kube-api'], {});
    expect(provider.seen.map((seen) => seen.auth)).toEqual(['basic', 'post', 'post', 'post']);
  });

  it.each([
    ['a 401 WWW-Authenticate challenge', { status: 401, headers: { 'www-authenticate': 'Basic realm="idp", error="invalid_client"' } }],
    ['400 invalid_client', { status: 400, body: '{"error":"invalid_client"}', headers: { 'content-type': 'application/json' } }],
    ['400 with an HTML body', { status: 400, body: '<html>bad</html>', headers: { 'content-type': 'text/html' } }],
  ] as const)('retries with client_secret_post after %s', async (_name, refusal) => {
    const provider = fakeProvider((seen) => (seen.auth === 'post' ? ok : refusal));
    await (await connect(provider.fetch)).clientCredentialsGrant(['kube-api'], {});
    expect(provider.seen.map((seen) => seen.auth)).toEqual(['basic', 'post']);
  });

  it('does not retry an error about the grant (invalid_grant), and remembers nothing', async () => {
    const provider = fakeProvider(() => ({ status: 400, body: '{"error":"invalid_grant"}', headers: { 'content-type': 'application/json' } }));
    const remembered = memory();
    await expect((await connect(provider.fetch, remembered)).refresh('rt-0123456789')).rejects.toMatchObject({ oauthError: 'invalid_grant' });
    expect(provider.seen).toHaveLength(1);
    expect(remembered.stored).toBeUndefined();
  });

  it('uses client_secret_post first when discovery lists only it', async () => {
    const provider = fakeProvider(() => ok, { token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt'] });
    await (await connect(provider.fetch)).clientCredentialsGrant(['kube-api'], {});
    expect(provider.seen.map((seen) => seen.auth)).toEqual(['post']);
  });

  it('retries revocation the same way (RFC 7009 requires client authentication)', async () => {
    const provider = fakeProvider((seen) => (seen.auth === 'post' ? { status: 200 } : { status: 401 }), { revocation_endpoint_auth_methods_supported: ['client_secret_basic'] });
    expect(await (await connect(provider.fetch)).revoke('rt-0123456789', 'refresh_token')).toBe(true);
    expect(provider.seen.map((seen) => seen.auth)).toEqual(['basic', 'post']);
  });

  it('names the endpoint and the HTTP status when both methods get an empty error body', async () => {
    const provider = fakeProvider(() => ({ status: 403 }));
    const remembered = memory();
    const error = await (await connect(provider.fetch, remembered)).clientCredentialsGrant(['kube-api'], {}).catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toBe('could not get a token with the client credentials grant: the token endpoint answered HTTP 403 with an empty body');
    expect(remembered.stored).toBeUndefined();
  });

  it('names the discovery endpoint and its status when discovery answers an error with no JSON', async () => {
    const fetch: Fetch = async () => new Response('<html>Not Found</html>', { status: 404, headers: { 'content-type': 'text/html' } });
    const error = await connect(fetch).catch((caught: unknown) => caught);
    expect(String((error as Error).message)).toBe(`could not read the provider's discovery document at ${ISSUER}: the discovery endpoint answered HTTP 404 with a text/html body`);
    expect((error as { fix?: string }).fix).toMatch(/\.well-known\/openid-configuration/);
  });
});
