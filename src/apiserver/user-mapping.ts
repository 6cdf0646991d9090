// Username, groups and required claims from ID token claims, exactly as kube-apiserver's oidc.go does it.
import type { GroupsRule, UsernameRule } from './claim-mapping-rules.js';
import { goQuote, goUnmarshalError } from './go-format.js';
import type { RequiredClaim } from './required-claims.js';

/** A mapped value, or kube-apiserver's error message for the claims. */
export type Mapped<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * `getUsername`: the claim is decoded as a Go string (a JSON null decodes to ""); for the `email`
 * claim, a present `email_verified` must be the boolean true; then the prefix is prepended.
 */
export function mapUsername(rules: { readonly username: UsernameRule }, claims: Record<string, unknown>): Mapped<string> {
  const { claim, prefix } = rules.username;
  const raw = goString(claims, claim);
  if (!raw.ok) return { ok: false, reason: `oidc: parse username claims ${goQuote(claim)}: ${raw.reason}` };
  if (claim === 'email' && Object.hasOwn(claims, 'email_verified')) {
    const verified = claims['email_verified'];
    // A JSON null decodes to Go's false.
    if (verified !== null && typeof verified !== 'boolean') {
      return { ok: false, reason: `oidc: parse 'email_verified' claim: ${goUnmarshalError(verified, 'bool')}` };
    }
    if (verified !== true) return { ok: false, reason: 'oidc: email not verified' };
  }
  return { ok: true, value: prefix + raw.value };
}

/**
 * `getGroups`: an absent claim means no groups; a present one is a string or an array of strings
 * (`stringOrArray`, kubernetes#33290); the prefix goes in front of each group.
 */
export function mapGroups(rules: { readonly groups: GroupsRule | undefined }, claims: Record<string, unknown>): Mapped<string[]> {
  const groups = rules.groups;
  if (!groups || !Object.hasOwn(claims, groups.claim)) return { ok: true, value: [] };
  const value = claims[groups.claim];
  let raw: string[];
  if (value === null) raw = [];
  else if (Array.isArray(value) && value.every((item) => typeof item === 'string' || item === null)) {
    raw = value.map((item) => (typeof item === 'string' ? item : ''));
  } else if (typeof value === 'string') raw = [value];
  else {
    // stringOrArray tries []string, then string, and returns the second error.
    return { ok: false, reason: `oidc: parse groups claim ${goQuote(groups.claim)}: ${goUnmarshalError(value, 'string')}` };
  }
  return { ok: true, value: raw.map((group) => groups.prefix + group) };
}

/**
 * The required-claims loop of `AuthenticateToken`: present, a string, equal. kube-apiserver walks a Go
 * map (random order); kube-login walks them in the order given, so with several failing claims the
 * apiserver may name another one first.
 */
export function checkRequiredClaims(required: readonly RequiredClaim[], claims: Record<string, unknown>): string | undefined {
  for (const rule of required) {
    if (!Object.hasOwn(claims, rule.claim)) return `oidc: required claim ${rule.claim} not present in ID token`;
    const value = goString(claims, rule.claim);
    if (!value.ok) return `oidc: parse claim ${rule.claim}: ${value.reason}`;
    if (value.value !== rule.value) {
      return `oidc: required claim ${rule.claim} value does not match. Got = ${value.value}, want = ${rule.value}`;
    }
  }
  return undefined;
}

/** `claims.unmarshalClaim(name, &s)` for a Go string. */
function goString(claims: Record<string, unknown>, name: string): Mapped<string> {
  if (!Object.hasOwn(claims, name)) return { ok: false, reason: 'claim not present' };
  const value = claims[name];
  if (value === null) return { ok: true, value: '' };
  if (typeof value !== 'string') return { ok: false, reason: goUnmarshalError(value, 'string') };
  return { ok: true, value };
}
