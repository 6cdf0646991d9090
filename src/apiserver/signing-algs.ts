// The JWS algorithms kube-apiserver accepts for ID tokens (SPECS.md B.1, oidc.go `allowedSigningAlgs`).
import { KubeLoginError } from '../errors.js';

/** The 9 algorithms of kube-apiserver's allowlist, sorted as `AllValidSigningAlgorithms()` returns them. */
export const SUPPORTED_SIGNING_ALGS = [
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
] as const;

/** One of the 9 supported algorithms. */
export type SigningAlg = (typeof SUPPORTED_SIGNING_ALGS)[number];

/** `--oidc-signing-algs` defaults to RS256, the algorithm OIDC Core 1.0 §15.1 makes mandatory (WithOIDC()). */
export const DEFAULT_SIGNING_ALGS: readonly SigningAlg[] = ['RS256'];

/** True for one of the 9 supported algorithm names (case-sensitive, as the apiserver compares them). */
export function isSigningAlg(value: string): value is SigningAlg {
  return (SUPPORTED_SIGNING_ALGS as readonly string[]).includes(value);
}

/** Validates `--signing-algs` values (comma lists allowed); an unknown one fails with the apiserver's own message. */
export function parseSigningAlgs(values: readonly string[]): SigningAlg[] {
  const algs: SigningAlg[] = [];
  for (const item of values.flatMap((value) => value.split(','))) {
    const alg = item.trim();
    if (alg === '') continue;
    if (!isSigningAlg(alg)) {
      // Same wording as kube-apiserver at start-up: `oidc: unsupported signing alg: %q`.
      throw new KubeLoginError('usage', 'read --signing-algs', `oidc: unsupported signing alg: ${JSON.stringify(alg)}`, {
        fix: `use some of ${SUPPORTED_SIGNING_ALGS.join(', ')}`,
      });
    }
    if (!algs.includes(alg)) algs.push(alg);
  }
  return algs.length === 0 ? [...DEFAULT_SIGNING_ALGS] : algs;
}
