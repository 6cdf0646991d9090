// ID tokens signed here with jose, with any claims (including malformed ones) for the token check tests.
import { CompactSign, type CryptoKey, type JWK, exportJWK, generateKeyPair } from 'jose';

/** A signing key and its public JWK. */
export interface TestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** A new key pair for `alg`. */
export async function newTestKey(alg = 'RS256', kid = `k-${alg}`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicJwk };
}

/** Signs the claims exactly as given (no defaults, no validation). */
export async function signToken(key: TestKey, claims: Record<string, unknown>): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey);
}
