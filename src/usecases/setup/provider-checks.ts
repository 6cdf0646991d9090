// The provider checks of `kube-login setup`: pure functions from the issuer URL and discovery document
// to ✓/✗ lines, each with a one-line reason and, for a ✗, the fix.
import { SUPPORTED_SIGNING_ALGS } from '../../apiserver/signing-algs.js';
import { type ErrorCode, KubeLoginError } from '../../errors.js';
import { checkDiscoveryEndpoints, isLoopbackUrl } from '../../oidc/endpoint-security.js';

/** ✓ passed, ✗ failed (setup stops), … decided later (refresh tokens: at the test login). */
export type CheckStatus = 'pass' | 'fail' | 'pending';

/** One check's outcome: the line a person reads, and what to do about a failure. */
export interface CheckResult {
  readonly id: CheckId;
  readonly status: CheckStatus;
  readonly text: string;
  /** A caution shown after the reason on a passing check (http on loopback, PKCE not advertised). */
  readonly warning?: string;
  readonly fix?: string;
  /** The error code setup exits with when this check fails. */
  readonly code?: ErrorCode;
}

/** The checks, in the order they are printed. */
export type CheckId = 'https' | 'discovery' | 'issuer' | 'endpoints' | 'pkce' | 'refresh' | 'signing';

const pass = (id: CheckId, text: string, warning?: string): CheckResult => (warning === undefined ? { id, status: 'pass', text } : { id, status: 'pass', text, warning });
const fail = (id: CheckId, text: string, fix: string, code: ErrorCode = 'check-failed'): CheckResult => ({ id, status: 'fail', text, fix, code });

/**
 * https, or plain http on a loopback address only. kube-apiserver itself accepts only https issuers
 * (SPECS.md C.2), and RFC 8252 allows plain http only for loopback redirects, so http anywhere else is
 * refused before any request is sent.
 */
export function checkIssuerScheme(issuerUrl: string): CheckResult {
  let url: URL;
  try {
    url = new URL(issuerUrl);
  } catch {
    return fail('https', `the issuer URL ${JSON.stringify(issuerUrl)} is not an absolute URL`, 'pass the issuer exactly as the provider publishes it, e.g. --oidc-issuer-url https://idp.example.com', 'usage');
  }
  if (url.protocol === 'https:') return pass('https', `the issuer uses https (${url.host})`);
  if (url.protocol === 'http:' && isLoopbackUrl(url)) {
    return pass('https', `the issuer uses plain http on a loopback address (${url.host})`, 'only for testing: kube-apiserver accepts only https issuers');
  }
  return fail('https', `the issuer uses ${url.protocol.replace(/:$/, '')}, not https (${url.host})`, 'serve the provider over https and pass its https URL; plain http is accepted only for a provider on this machine (127.0.0.1, localhost)');
}

/** The discovery document was read; its URL, for the ✓ line. */
export function discoveryRead(discoveryUrl: string): CheckResult {
  return pass('discovery', `read the discovery document ${discoveryUrl}`);
}

/** The discovery document could not be read: the translated error becomes a ✗ line. */
export function discoveryFailed(reason: string, fix: string | undefined, code: ErrorCode): CheckResult {
  return fail('discovery', `could not read the discovery document: ${reason}`, fix ?? 'check --oidc-issuer-url and your network', code);
}

/** Every check of the discovery document, in order (issuer, endpoints, PKCE, refresh tokens, algorithms). */
export function checkDiscoveryDocument(issuerUrl: string, discovery: Readonly<Record<string, unknown>>): CheckResult[] {
  return [checkIssuer(issuerUrl, discovery), checkEndpoints(discovery, issuerUrl), checkPkce(discovery), checkRefreshAdvertised(discovery), checkSigningAlgs(discovery)];
}

/** OIDC Discovery 1.0 §4.3: the `issuer` must be identical to the URL; go-oidc and openid-client compare byte for byte. */
export function checkIssuer(issuerUrl: string, discovery: Readonly<Record<string, unknown>>): CheckResult {
  const issuer = discovery['issuer'];
  if (typeof issuer !== 'string') {
    return fail('issuer', 'the discovery document has no issuer', 'check that --oidc-issuer-url is the URL of an OpenID Connect provider');
  }
  if (issuer === issuerUrl) return pass('issuer', `the discovery issuer equals the issuer URL ${JSON.stringify(issuerUrl)}`);
  const slash = issuer.replace(/\/$/, '') === issuerUrl.replace(/\/$/, '');
  return fail(
    'issuer',
    `the discovery issuer is ${JSON.stringify(issuer)}, not ${JSON.stringify(issuerUrl)}${slash ? ' (they differ only by the trailing slash)' : ''}; kube-apiserver and kube-login compare them byte for byte`,
    `pass --oidc-issuer-url ${issuer}`,
  );
}

/** The authorization and token endpoints (the code flow), and the JWKS kube-apiserver verifies with. */
export function checkEndpoints(discovery: Readonly<Record<string, unknown>>, issuerUrl?: string): CheckResult {
  const missing = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'].filter((field) => !isHttpUrl(discovery[field]));
  if (missing.length > 0) {
    return fail('endpoints', `the discovery document has no usable ${missing.join(', ')}`, 'use a provider (or a provider URL, e.g. the realm URL in Keycloak) that publishes the authorization code flow');
  }
  // The same rule get-token applies before sending anything: https, or http on loopback (docs/security.md).
  try {
    if (issuerUrl !== undefined) checkDiscoveryEndpoints(new URL(issuerUrl), discovery);
  } catch (error) {
    if (error instanceof KubeLoginError) return fail('endpoints', error.reason, error.fix ?? 'publish https endpoints', 'provider-rejected');
    throw error;
  }
  return pass('endpoints', 'the authorization, token and JWKS endpoints are published');
}

/**
 * RFC 7636 / RFC 8252 §8.1: kube-login always sends S256. A provider that lists methods without S256
 * refuses it; a provider that lists none may still accept it (many do not advertise PKCE).
 */
export function checkPkce(discovery: Readonly<Record<string, unknown>>): CheckResult {
  const methods = discovery['code_challenge_methods_supported'];
  if (methods === undefined) {
    return pass('pkce', 'PKCE is not advertised (code_challenge_methods_supported is absent)', 'kube-login sends S256 anyway; the test login shows whether the provider accepts it');
  }
  if (Array.isArray(methods) && methods.includes('S256')) return pass('pkce', 'PKCE S256 is supported');
  const listed = Array.isArray(methods) ? methods.map(String).join(', ') || 'nothing' : JSON.stringify(methods);
  return fail('pkce', `PKCE S256 is not supported (code_challenge_methods_supported: ${listed})`, 'enable PKCE with S256 for the client at the provider; kube-login always uses it (RFC 7636, RFC 8252 §8.1)');
}

/** OIDC Core §11: `offline_access` asks for a refresh token; when it is not listed, the test login decides. */
export function checkRefreshAdvertised(discovery: Readonly<Record<string, unknown>>): CheckResult {
  const scopes = discovery['scopes_supported'];
  if (Array.isArray(scopes) && scopes.includes('offline_access')) return pass('refresh', 'refresh tokens: offline_access is in scopes_supported');
  return { id: 'refresh', status: 'pending', text: 'refresh tokens: offline_access is not in scopes_supported; the test login will show whether a refresh token is returned' };
}

/** The outcome of the refresh-token check once the test login returned (or not) a refresh token. */
export function checkRefreshAfterLogin(refreshTokenReturned: boolean): CheckResult {
  if (refreshTokenReturned) return pass('refresh', 'refresh tokens: the test login returned a refresh token');
  return fail(
    'refresh',
    'refresh tokens: offline_access is not in scopes_supported and the test login returned no refresh token, so every expiry would need a new browser login',
    'allow refresh tokens for the client at the provider, or request them: --oidc-extra-scope offline_access (Google: --oidc-auth-request-extra-params access_type=offline)',
  );
}

/** SPECS.md B.2: kube-apiserver verifies only the 9 RSA/ECDSA/RSA-PSS algorithms. */
export function checkSigningAlgs(discovery: Readonly<Record<string, unknown>>): CheckResult {
  const algs = discovery['id_token_signing_alg_values_supported'];
  if (!Array.isArray(algs)) {
    return fail('signing', 'the discovery document has no id_token_signing_alg_values_supported (it is REQUIRED by OIDC Discovery 1.0 §3)', 'fix the provider\'s discovery document');
  }
  const listed = algs.map(String);
  const usable = listed.filter((alg) => (SUPPORTED_SIGNING_ALGS as readonly string[]).includes(alg));
  if (usable.length > 0) return pass('signing', `ID tokens are signed with ${usable.join(', ')}, which kube-apiserver accepts`);
  return fail(
    'signing',
    `ID tokens are signed with ${listed.join(', ') || 'no algorithm'}, and kube-apiserver accepts only ${SUPPORTED_SIGNING_ALGS.join(', ')}`,
    'configure the provider to sign ID tokens with RS256 (or ES256)',
  );
}

/** The test login's ID token: its JWS `alg` must be one kube-apiserver verifies (go-oidc rejects others). */
export function checkTokenAlg(idToken: string): CheckResult {
  let alg: unknown;
  try {
    alg = (JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>)['alg'];
  } catch {
    alg = undefined;
  }
  if (typeof alg === 'string' && (SUPPORTED_SIGNING_ALGS as readonly string[]).includes(alg)) {
    return pass('signing', `the test login's ID token is signed with ${alg}`);
  }
  return fail('signing', `the test login's ID token is signed with ${JSON.stringify(alg)}, which kube-apiserver does not accept`, 'configure the provider (or this client) to sign ID tokens with RS256');
}

/** The check line: `  ✓ reason` / `  ✗ reason` then `    fix: …` / `  … reason`. */
export function formatCheck(result: CheckResult): string {
  const mark = result.status === 'pass' ? '✓' : result.status === 'fail' ? '✗' : '…';
  const lines = [`  ${mark} ${result.text}${result.warning === undefined ? '' : ` (warning: ${result.warning})`}`];
  if (result.status === 'fail' && result.fix !== undefined) lines.push(`    fix: ${result.fix}`);
  return lines.join('\n');
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
