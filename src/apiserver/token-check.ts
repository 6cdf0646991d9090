// Applies a mapping to an ID token the way kube-apiserver 1.30+ does (oidc.go AuthenticateToken and
// go-oidc v2 IDTokenVerifier.Verify, SPECS.md B.2); the signature is checked by verify-signature.ts.
import { decodeCompactJwt, type DecodedJwt } from './compact-jwt.js';
import { GO_ZERO_TIME, goJsonKind, goQuote, goQuoteList, goTime } from './go-format.js';
import type { OidcMapping } from './oidc-mapping.js';
import { checkRequiredClaims, mapGroups, mapUsername } from './user-mapping.js';

/** The user kube-apiserver would see, as `kubectl auth whoami` prints it. */
export interface AuthenticatedUser {
  readonly username: string;
  readonly groups: readonly string[];
}

/** The outcome for one token. */
export type TokenVerdict =
  /** The authenticator does not apply (wrong issuer, not a JWT): the request stays unauthenticated. */
  | { readonly outcome: 'skipped'; readonly reason: string; readonly notes: readonly string[] }
  /** The authenticator applies and fails: `reason` is kube-apiserver's error message. */
  | { readonly outcome: 'rejected'; readonly reason: string; readonly notes: readonly string[] }
  | { readonly outcome: 'accepted'; readonly user: AuthenticatedUser; readonly notes: readonly string[] };

/** The inputs of the check: `algorithms` are those kube-apiserver accepts (flags: --signing-algs; file: all 9). */
export interface TokenCheckInput {
  readonly token: string;
  readonly mapping: OidcMapping;
  readonly algorithms: readonly string[];
  readonly nowMs: number;
}

/** After the checks that precede signature verification: a verdict, or the token to verify. */
export type PrecheckResult = TokenVerdict | { readonly outcome: 'verify-signature'; readonly jwt: DecodedJwt };

/** Every group of an authenticated user also gets this one (the AuthenticatedGroupAdder). */
export const AUTHENTICATED_GROUP = 'system:authenticated';

/** go-oidc's error when no JWKS key verifies the signature (RemoteKeySet.VerifySignature). */
export const SIGNATURE_REJECTION = 'oidc: verify token: failed to verify signature: failed to verify id token signature';

/** `hasCorrectIssuer`, then go-oidc's claim checks in its order: iss, aud, exp, nbf, alg. */
export function precheckToken(input: TokenCheckInput): PrecheckResult {
  const { mapping } = input;
  const decoded = decodeCompactJwt(input.token);
  if (!decoded.ok) {
    return skipped(`the token is not a compact JWT (${decoded.reason}): kube-apiserver does not apply the OIDC authenticator to it`);
  }
  const { header, claims } = decoded.jwt;
  const iss = claims['iss'];
  // http://openid.net/specs/openid-connect-core-1_0.html#GoogleIss: the one coalesced issuer.
  const tokenIssuer = iss === 'accounts.google.com' ? 'https://accounts.google.com' : iss;
  if (tokenIssuer !== mapping.issuerUrl) {
    return skipped(`the token's iss ${typeof iss === 'string' ? goQuote(iss) : `is a ${goJsonKind(iss)}`} is not ${goQuote(mapping.issuerUrl)}, so kube-apiserver does not apply this authenticator: the request is unauthenticated (HTTP 401)`);
  }
  const verifyError = (message: string): TokenVerdict => rejected(`oidc: verify token: ${message}`);

  const audience = readAudience(claims['aud']);
  if (audience === undefined) return verifyError(`oidc: failed to unmarshal claims: aud is a ${goJsonKind(claims['aud'])}, not a string or an array of strings`);
  const audiences = [...new Set(mapping.audiences)];
  if (audiences.length === 1) {
    const [clientId = ''] = audiences;
    if (!audience.includes(clientId)) return verifyError(`oidc: expected audience ${goQuote(clientId)} got ${goQuoteList(audience)}`);
  } else if (!audience.some((aud) => audiences.includes(aud))) {
    // The apiserver's own verifyAudience (MatchAny), with the sorted set as sets.List returns it.
    return verifyError(`oidc: expected audience in ${goQuoteList([...audiences].sort())} got ${goQuoteList(audience)}`);
  }

  const exp = readNumericDate(claims, 'exp');
  if (exp === 'invalid') return verifyError(`oidc: failed to unmarshal claims: exp is a ${goJsonKind(claims['exp'])}, not a number`);
  // No leeway: `t.Expiry.Before(now)`; a missing exp is Go's zero time, so it is expired.
  if (exp === undefined) return verifyError(`oidc: token is expired (Token Expiry: ${GO_ZERO_TIME})`);
  if (exp < input.nowMs) return verifyError(`oidc: token is expired (Token Expiry: ${goTime(exp)})`);
  const nbf = readNumericDate(claims, 'nbf');
  if (nbf === 'invalid') return verifyError(`oidc: failed to unmarshal claims: nbf is a ${goJsonKind(claims['nbf'])}, not a number`);
  // go-oidc v2 allows one minute of clock skew for nbf only.
  if (nbf !== undefined && input.nowMs + 60_000 < nbf) {
    return verifyError(`oidc: current time ${goTime(input.nowMs)} before the nbf (not before) time: ${goTime(nbf)}`);
  }

  const alg = typeof header['alg'] === 'string' ? header['alg'] : '';
  if (!input.algorithms.includes(alg)) {
    return verifyError(`oidc: id token signed with unsupported algorithm, expected ${goQuoteList(input.algorithms)} got ${goQuote(alg)}`);
  }
  return { outcome: 'verify-signature', jwt: decoded.jwt };
}

/** What follows a verified signature: username, groups, required claims (AuthenticateToken, in order). */
export function mapVerifiedToken(jwt: DecodedJwt, mapping: OidcMapping): TokenVerdict {
  const { claims } = jwt;
  const notes: string[] = [];
  const groupsClaim = mapping.groups?.claim;
  if (groupsClaim !== undefined && !Object.hasOwn(claims, groupsClaim) && distributedSource(claims, groupsClaim)) {
    notes.push(`the ${groupsClaim} claim is a distributed claim (OIDC Core 1.0 §5.6.2): kube-apiserver fetches it from its endpoint, which kube-login does not, so the groups below may be incomplete`);
  }
  const username = mapUsername(mapping, claims);
  if (!username.ok) return rejected(username.reason, notes);
  const groups = mapGroups(mapping, claims);
  if (!groups.ok) return rejected(groups.reason, notes);
  const requiredFailure = checkRequiredClaims(mapping.requiredClaims, claims);
  if (requiredFailure !== undefined) return rejected(requiredFailure, notes);
  if (username.value === '') notes.push(`the ${mapping.username.claim} claim is null, so the username is empty`);
  const allGroups = groups.value.includes(AUTHENTICATED_GROUP) ? groups.value : [...groups.value, AUTHENTICATED_GROUP];
  return { outcome: 'accepted', user: { username: username.value, groups: allGroups }, notes };
}

/** The whole check without the signature (for --offline and unit tests): precheck, then mapping. */
export function checkTokenWithoutSignature(input: TokenCheckInput): TokenVerdict {
  const pre = precheckToken(input);
  return pre.outcome === 'verify-signature' ? mapVerifiedToken(pre.jwt, input.mapping) : pre;
}

function skipped(reason: string): TokenVerdict {
  return { outcome: 'skipped', reason, notes: [] };
}

function rejected(reason: string, notes: readonly string[] = []): TokenVerdict {
  return { outcome: 'rejected', reason, notes };
}

/** go-oidc's `audience`: a string or an array of strings; absent means none. */
function readAudience(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

/** go-oidc's `jsonTime`: whole seconds (a fraction is truncated), in milliseconds here. */
function readNumericDate(claims: Record<string, unknown>, name: string): number | undefined | 'invalid' {
  if (!Object.hasOwn(claims, name) || claims[name] === null) return undefined;
  const value = claims[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'invalid';
  return Math.trunc(value) * 1000;
}

function distributedSource(claims: Record<string, unknown>, claim: string): boolean {
  const names = claims['_claim_names'];
  return typeof names === 'object' && names !== null && Object.hasOwn(names, claim);
}
