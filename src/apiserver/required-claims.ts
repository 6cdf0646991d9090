// `--required-claim key=value`, as kube-apiserver's `--oidc-required-claim` (MapStringStringNoSplit).
import { KubeLoginError } from '../errors.js';

/** One required claim: present in the ID token, a string, and equal to `value`. */
export interface RequiredClaim {
  readonly claim: string;
  readonly value: string;
}

/** Parses `key=value` pairs, splitting at the first `=` (values may contain `=` and `,`); duplicate keys are refused. */
export function parseRequiredClaims(values: readonly string[]): RequiredClaim[] {
  const claims: RequiredClaim[] = [];
  for (const item of values) {
    const at = item.indexOf('=');
    const claim = at < 0 ? item : item.slice(0, at);
    if (at < 0 || claim.trim() === '') {
      throw new KubeLoginError('usage', 'read --required-claim', `${JSON.stringify(item)} is not key=value`, {
        fix: 'write each required claim as --required-claim NAME=VALUE',
      });
    }
    if (claims.some((existing) => existing.claim === claim)) {
      // The flags keep only the last value of a key and the file rejects duplicates (`Duplicate value`).
      throw new KubeLoginError('usage', 'read --required-claim', `the claim ${JSON.stringify(claim)} is given twice`, {
        fix: 'a claim can only be required to have one value; keep one --required-claim per claim',
      });
    }
    claims.push({ claim, value: item.slice(at + 1) });
  }
  return claims;
}
