// Signature verification through jose against a JWKS served by a fake fetch (the customFetch seam).
import { describe, expect, it } from 'vitest';
import { isKubeLoginError } from '../../../src/errors.js';
import { createSignatureVerifier } from '../../../src/apiserver/verify-signature.js';
import { newTestKey, signToken } from './tokens.js';

const JWKS_URI = 'https://idp.example.com/jwks';

function jwksFetch(keys: unknown[], status = 200): { fetch: (url: string) => Promise<Response>; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: async (url: string) => {
      urls.push(url);
      return new Response(JSON.stringify({ keys }), { status, headers: { 'content-type': 'application/json' } });
    },
  };
}

describe('verify-signature', () => {
  it('accepts a token signed by a key of the JWKS, fetched through the injected fetch', async () => {
    const key = await newTestKey('ES256');
    const token = await signToken(key, { iss: 'x' });
    const fake = jwksFetch([key.publicJwk]);
    expect(await createSignatureVerifier(fake.fetch)(token, JWKS_URI, ['ES256'])).toEqual({ ok: true });
    expect(fake.urls).toEqual([JWKS_URI]);
  });

  it('rejects a token signed by another key', async () => {
    const [signer, published] = [await newTestKey('RS256', 'same'), await newTestKey('RS256', 'same')];
    const token = await signToken(signer, { iss: 'x' });
    const result = await createSignatureVerifier(jwksFetch([published.publicJwk]).fetch)(token, JWKS_URI, ['RS256']);
    expect(result.ok).toBe(false);
  });

  it('tries every key when several match (go-oidc tries them all)', async () => {
    const [a, b] = [await newTestKey('RS256', 'a'), await newTestKey('RS256', 'b')];
    const strip = ({ kid: _kid, ...jwk }: Record<string, unknown>) => jwk;
    const token = await new (await import('jose')).CompactSign(new TextEncoder().encode('{"iss":"x"}')).setProtectedHeader({ alg: 'RS256' }).sign(b.privateKey);
    const result = await createSignatureVerifier(jwksFetch([strip(a.publicJwk), strip(b.publicJwk)]).fetch)(token, JWKS_URI, ['RS256']);
    expect(result).toEqual({ ok: true });
  });

  it('rejects an algorithm outside the allowed list', async () => {
    const key = await newTestKey('ES256');
    const token = await signToken(key, { iss: 'x' });
    expect((await createSignatureVerifier(jwksFetch([key.publicJwk]).fetch)(token, JWKS_URI, ['RS256'])).ok).toBe(false);
  });

  it('turns an unreadable JWKS into provider-unreachable, not a verdict', async () => {
    const key = await newTestKey('ES256');
    const token = await signToken(key, { iss: 'x' });
    const error: unknown = await createSignatureVerifier(jwksFetch([], 500).fetch)(token, JWKS_URI, ['ES256']).catch((thrown: unknown) => thrown);
    expect(isKubeLoginError(error, 'provider-unreachable')).toBe(true);
    expect(isKubeLoginError(error) && error.action).toBe(`read the provider's signing keys from ${JWKS_URI}`);
  });
});
