// Bearer token validation as kube-apiserver's OIDC authenticator does it (SPECS.md B.2, go-oidc v2).
import { rootCertificates } from 'node:tls';
import { compactVerify, createRemoteJWKSet, customFetch, errors as joseErrors } from 'jose';
import { Agent } from 'undici';

/** A claim mapped to a Kubernetes user field, with the prefix to prepend ('' for none). */
export interface ClaimMapping {
  claim: string;
  prefix: string;
}

/** One JWT authenticator, in the shape of an AuthenticationConfiguration `jwt[]` entry. */
export interface JwtAuthenticatorConfig {
  issuer: string;
  /** Where to fetch discovery from; default `<issuer>/.well-known/openid-configuration`. */
  discoveryUrl?: string;
  audiences: string[];
  /** PEM of the CA that signed the issuer's certificate; default: the system roots. */
  certificateAuthority?: string;
  /** Accepted JWS algorithms (the flags default is RS256; the config file allows all 9). */
  signingAlgs: string[];
  username: ClaimMapping;
  groups?: ClaimMapping;
  uidClaim?: string;
  /** Claims that must be present with exactly this string value. */
  requiredClaims: { claim: string; requiredValue: string }[];
}

/** The authenticated user, as SelfSubjectReview reports it. */
export interface KubeUserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** The outcome of validating one bearer token. */
export type Authentication = { ok: true; user: KubeUserInfo } | { ok: false; reason: string };

/** Every algorithm kube-apiserver accepts (the --authentication-config path allows all of them). */
export const ALL_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

type Claims = Record<string, unknown>;
type JwksGetter = ReturnType<typeof createRemoteJWKSet>;

class Rejected extends Error {}

function reject(reason: string): never {
  throw new Rejected(reason);
}

function goTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString();
}

/** The unverified payload, or why the token is not a compact JWT. */
function unverifiedClaims(token: string): Claims {
  const parts = token.split('.');
  if (token.startsWith('{') || parts.length !== 3) reject('token is not a compact JWT (3 dot-separated parts)');
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    if (typeof claims === 'object' && claims !== null && !Array.isArray(claims)) return claims as Claims;
  } catch {
    // fall through
  }
  return reject('oidc: malformed jwt payload');
}

function stringClaim(claims: Claims, claim: string, what: string): string {
  if (!(claim in claims)) reject(`oidc: parse ${what} claims "${claim}": claim not present`);
  const value = claims[claim];
  if (typeof value !== 'string') {
    reject(`oidc: parse ${what} claims "${claim}": json: cannot unmarshal ${typeof value} into Go value of type string`);
  }
  return value;
}

function checkAudience(claims: Claims, audiences: string[]): void {
  const aud = claims.aud;
  const got = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === 'string') : [];
  if (got.some((a) => audiences.includes(a))) return;
  if (audiences.length === 1) reject(`oidc: expected audience "${audiences[0]}" got ${JSON.stringify(got)}`);
  reject(`oidc: expected audience in ${JSON.stringify(audiences)} got ${JSON.stringify(got)}`);
}

function checkTimes(claims: Claims, nowSeconds: number): void {
  // go-oidc: no leeway on exp, and a missing exp is the zero time, i.e. expired.
  const exp = typeof claims.exp === 'number' ? claims.exp : 0;
  if (exp < nowSeconds) reject(`oidc: token is expired (Token Expiry: ${goTime(exp)})`);
  // nbf gets one minute of leeway.
  if (typeof claims.nbf === 'number' && nowSeconds + 60 < claims.nbf) {
    reject(`oidc: current time ${goTime(nowSeconds)} before the nbf (not before) time: ${goTime(claims.nbf)}`);
  }
}

function groupsOf(claims: Claims, mapping: ClaimMapping | undefined): string[] {
  if (!mapping || !(mapping.claim in claims)) return [];
  const value = claims[mapping.claim];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((g): g is string => typeof g === 'string')) {
    reject(`oidc: parse groups claim "${mapping.claim}": expected a string or an array of strings`);
  }
  return list.map((group) => `${mapping.prefix}${group}`);
}

function usernameOf(claims: Claims, mapping: ClaimMapping): string {
  const username = stringClaim(claims, mapping.claim, 'username');
  if (mapping.claim === 'email' && 'email_verified' in claims) {
    if (typeof claims.email_verified !== 'boolean') reject(`oidc: parse 'email_verified' claim: not a boolean`);
    if (!claims.email_verified) reject('oidc: email not verified');
  }
  return `${mapping.prefix}${username}`;
}

function checkRequiredClaims(claims: Claims, rules: JwtAuthenticatorConfig['requiredClaims']): void {
  for (const { claim, requiredValue } of rules) {
    if (!(claim in claims)) reject(`oidc: required claim ${claim} not present in ID token`);
    const value = claims[claim];
    if (value !== requiredValue) {
      reject(`oidc: required claim ${claim} value does not match. Got = ${String(value)}, want = ${requiredValue}`);
    }
  }
}

/** Validates bearer tokens against one issuer; discovery is retried on every request until it works. */
export class JwtAuthenticator {
  readonly config: JwtAuthenticatorConfig;
  readonly #fetch: typeof fetch;
  readonly #agent: Agent;
  #jwks: JwksGetter | undefined;

  constructor(config: JwtAuthenticatorConfig) {
    this.config = config;
    // Like kube-apiserver: the configured CA replaces the system roots; without one, the system roots.
    this.#agent = new Agent({ connect: { ca: config.certificateAuthority ? [config.certificateAuthority] : [...rootCertificates] } });
    const dispatcher = this.#agent;
    this.#fetch = (input, init) => fetch(input, { ...init, dispatcher } as RequestInit);
  }

  /** Closes the HTTP connections to the provider. */
  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** Validates one token; the reason of a rejection says which check failed. */
  async authenticate(token: string, now: Date = new Date()): Promise<Authentication> {
    try {
      return { ok: true, user: await this.#authenticate(token, Math.floor(now.getTime() / 1000)) };
    } catch (error) {
      if (error instanceof Rejected) return { ok: false, reason: error.message };
      throw error;
    }
  }

  async #authenticate(token: string, nowSeconds: number): Promise<KubeUserInfo> {
    const { config } = this;
    const claims = unverifiedClaims(token);
    // kube-apiserver hands a token to this authenticator only if the unverified iss matches exactly.
    if (claims.iss !== config.issuer) {
      reject(`token issuer ${JSON.stringify(claims.iss)} is not the configured issuer "${config.issuer}"`);
    }
    const jwks = await this.#keySet();
    // go-oidc v2 order: audience, expiry, nbf, then the signature.
    checkAudience(claims, config.audiences);
    checkTimes(claims, nowSeconds);
    await this.#verifySignature(token, jwks);

    checkRequiredClaims(claims, config.requiredClaims);
    const user: KubeUserInfo = {
      username: usernameOf(claims, config.username),
      groups: [...groupsOf(claims, config.groups), 'system:authenticated'],
      extra: {},
    };
    if (config.uidClaim) user.uid = stringClaim(claims, config.uidClaim, 'uid');
    if (typeof claims.jti === 'string') user.extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    return user;
  }

  async #verifySignature(token: string, jwks: JwksGetter): Promise<void> {
    try {
      await compactVerify(token, jwks, { algorithms: this.config.signingAlgs });
    } catch (error) {
      if (error instanceof joseErrors.JOSEAlgNotAllowed) {
        reject(`oidc: id token signed with unsupported algorithm, expected ${JSON.stringify(this.config.signingAlgs)}`);
      }
      const detail = error instanceof Error ? error.message : String(error);
      reject(`failed to verify signature: ${detail}`);
    }
  }

  /** Discovery, then the JWKS; refetched when a token carries an unknown kid (key rotation). */
  async #keySet(): Promise<JwksGetter> {
    if (this.#jwks) return this.#jwks;
    const { issuer } = this.config;
    const discoveryUrl = this.config.discoveryUrl ?? `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await this.#fetch(discoveryUrl);
      if (!response.ok) throw new Error(`discovery answered HTTP ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
      return reject(`oidc: authenticator not initialized: ${error instanceof Error ? error.message : String(error)}${cause}`);
    }
    if (document.issuer !== issuer) {
      reject(`oidc: issuer did not match the issuer returned by provider, expected "${issuer}" got ${JSON.stringify(document.issuer)}`);
    }
    if (typeof document.jwks_uri !== 'string') return reject('oidc: discovery document has no jwks_uri');
    this.#jwks = createRemoteJWKSet(new URL(document.jwks_uri), {
      cooldownDuration: 0,
      [customFetch]: this.#fetch,
    });
    return this.#jwks;
  }
}
