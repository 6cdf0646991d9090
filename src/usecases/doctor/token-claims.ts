// The cached token: is there one, whose is it, and do its iss, aud and signature fit this configuration?
// kube-apiserver compares iss byte for byte and requires the client ID in aud (SPECS.md B.2).
import type { SignatureResult } from '../../apiserver/verify-signature.js';
import { type DoctorCheck, fail, pass, skip, warn } from './check.js';
import { relativeTime } from '../status.js';
import { identityOf } from '../../oidc/jwt-claims.js';

const quote = (value: unknown): string => JSON.stringify(value);

/** The aud claim as a list (a string or an array of strings); undefined when malformed. */
export function audienceOf(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
}

/** What was found in the cache for this configuration. */
export interface CachedTokenFacts {
  storage: 'disk' | 'keyring';
  where: string;
  claims: Record<string, unknown> | undefined;
  /** `exp` of the bearer token kubectl sends (seconds), when known. */
  expiresAt: number | undefined;
  bearer: 'ID token' | 'access token';
}

/** ✓ a token is cached (and whose), or ! nothing is cached, so the token checks cannot run. */
export function checkCachedToken(facts: CachedTokenFacts | undefined, cacheDir: string, loginCommand: string, nowMs: number): DoctorCheck {
  if (!facts) {
    return warn(
      'cached-token',
      `no token is cached for this configuration in ${cacheDir}: the next kubectl command logs in, and the token and cluster checks are skipped`,
      `log in (${loginCommand}), then run kube-login doctor again`,
    );
  }
  const who = facts.claims ? identityOf(facts.claims) : 'an unreadable token';
  const kept = facts.storage === 'keyring' ? 'in the OS keychain' : `in ${facts.where}`;
  if (facts.expiresAt === undefined) return pass('cached-token', `a token for ${who} is cached ${kept}`);
  const left = facts.expiresAt - nowMs / 1000;
  const when = left > 0 ? `is valid for ${relativeTime(left).replace(/^in /, '')} more` : `expired ${relativeTime(left)}`;
  return pass('cached-token', `a token for ${who} is cached ${kept}; its ${facts.bearer} ${when}`);
}

/** iss must equal the issuer URL byte for byte (kube-apiserver skips the token otherwise: 401). */
export function checkTokenIssuer(claims: Record<string, unknown>, issuerUrl: string): DoctorCheck {
  const iss = claims['iss'];
  if (iss === issuerUrl) return pass('token-issuer', `the token's iss is the issuer URL ${quote(issuerUrl)}`);
  const slash = typeof iss === 'string' && iss.replace(/\/$/, '') === issuerUrl.replace(/\/$/, '');
  return fail(
    'token-issuer',
    `the token's iss is ${quote(iss)}, not the issuer URL ${quote(issuerUrl)}${slash ? ' (they differ only by the trailing slash)' : ''}: kube-apiserver compares them byte for byte`,
    `pass --oidc-issuer-url ${typeof iss === 'string' ? iss : 'exactly as the provider publishes it'} in the exec args, and the same value to the API server`,
  );
}

/** aud must contain the client ID: kube-apiserver's --oidc-client-id (SPECS.md B.2). */
export function checkTokenAudience(claims: Record<string, unknown>, clientId: string): DoctorCheck {
  const aud = audienceOf(claims['aud']);
  if (aud === undefined) return fail('token-audience', `the token's aud is ${quote(claims['aud'])}, neither a string nor a list of strings`, 'check the provider: aud must name the client ID');
  if (aud.includes(clientId)) {
    const notes = aud.length > 1 ? [`aud also names ${aud.filter((item) => item !== clientId).map(quote).join(', ')}; the API server needs only one of them as its --oidc-client-id`] : [];
    return pass('token-audience', `the token's aud ${quote(aud.length === 1 ? aud[0] : aud)} contains the client ID ${quote(clientId)}`, notes);
  }
  return fail(
    'token-audience',
    `aud mismatch: the token's aud is ${quote(aud)}, which does not contain the client ID ${quote(clientId)}: kube-apiserver (--oidc-client-id ${clientId}) rejects it with "oidc: expected audience ${quote(clientId)} got ${quote(aud)}"`,
    `use the client ID the provider puts in aud: pass --oidc-client-id ${aud[0] ?? 'ID'} in the exec args and to the API server (some providers put an application ID URI there instead), then run \`kube-login logout\` with these flags and log in again`,
  );
}

/** The signature against the provider's JWKS, as kube-apiserver verifies it. */
export function checkTokenSignature(result: SignatureResult | undefined, reason: string | undefined): DoctorCheck {
  if (!result) return skip('token-signature', `the signature was not checked: ${reason ?? 'the provider could not be read'}`);
  if (result.ok) return pass('token-signature', "the token's signature verifies with the provider's published keys (JWKS)");
  return fail('token-signature', `the token's signature does not verify with the provider's published keys: ${result.detail}`, 'log in again (`kube-login logout` with these flags, then any kubectl command): the provider may have rotated its keys, or the token comes from another provider');
}
