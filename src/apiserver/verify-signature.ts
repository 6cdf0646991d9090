// The one importer of jose here: verifies an ID token's signature against the provider's JWKS.
import { type JWSHeaderParameters, type FlattenedJWSInput, compactVerify, createRemoteJWKSet, customFetch, errors } from 'jose';
import { KubeLoginError, describe } from '../errors.js';
import type { Fetch } from '../oidc/http.js';

/** The signature is valid, or kube-apiserver would reject it (`reason` is go-oidc's message). */
export type SignatureResult = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** The port the use case calls: verify `token` with the keys at `jwksUri`, allowing only `algorithms`. */
export type VerifySignature = (token: string, jwksUri: string, algorithms: readonly string[]) => Promise<SignatureResult>;

/** jose errors that mean "this token's signature is not acceptable", not "the JWKS could not be read". */
const REJECTION_CODES = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JWS_INVALID',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * A verifier over `fetchImpl` (jose's `customFetch`, so the --ca-file trust and proxy settings
 * apply to the JWKS request as to discovery). Like go-oidc's RemoteKeySet, a token whose header
 * matches several keys is tried against each of them.
 */
export function createSignatureVerifier(fetchImpl: Fetch): VerifySignature {
  return async (token, jwksUri, algorithms) => {
    const jwks = createRemoteJWKSet(new URL(jwksUri), { [customFetch]: fetchImpl, timeoutDuration: 10_000 });
    const options = { algorithms: [...algorithms] };
    try {
      try {
        await compactVerify(token, (header: JWSHeaderParameters, input: FlattenedJWSInput) => jwks(header, input), options);
        return { ok: true };
      } catch (error) {
        if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
        for await (const key of error) {
          try {
            await compactVerify(token, key, options);
            return { ok: true };
          } catch {
            // try the next key
          }
        }
        return { ok: false, detail: 'no key of the JWKS verifies the signature' };
      }
    } catch (error) {
      if (error instanceof KubeLoginError) throw error;
      if (error instanceof errors.JOSEError && REJECTION_CODES.has(error.code)) return { ok: false, detail: error.message };
      throw new KubeLoginError('provider-unreachable', `read the provider's signing keys from ${jwksUri}`, describe(error), {
        cause: error,
        fix: 'check that this machine can reach the provider (or pass --offline to skip the signature check)',
      });
    }
  };
}
