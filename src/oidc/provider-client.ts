// The only importer of openid-client: discovery, the authorization code flow with PKCE, refresh,
// and the translation of its errors into KubeLoginError. Everything OAuth goes through here.
import * as client from 'openid-client';
import { KubeLoginError, describe } from '../errors.js';
import type { Fetch } from './http.js';
import { plainHttpRefusal } from './issuer-scheme.js';
import { translateNetworkError } from './network-error.js';
import { checkDiscoveryEndpoints, isSecureOrLoopbackUrl } from './endpoint-security.js';
import { terminalLine } from '../platform/terminal-text.js';

/** The claims of a validated ID token that kube-login reads. */
export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  [claim: string]: unknown;
}

/** A validated token endpoint response. */
export interface TokenResult {
  idToken?: string;
  claims?: IdTokenClaims;
  accessToken: string;
  refreshToken?: string;
  expiresIn?: number;
}

/** The per-login values that bind the callback to this request (RFC 6749 10.12, RFC 7636, OIDC nonce). */
export interface AuthorizationChecks {
  codeVerifier: string;
  codeChallenge: string;
  state: string;
  nonce: string;
}

/** A started device authorization (RFC 8628 3.2); `handle` is passed back to pollDeviceGrant. */
export interface DeviceAuthorization {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresIn: number;
  interval?: number;
  readonly handle: unknown;
}

/** The client authentication methods of a confidential client (RFC 6749 2.3.1, OIDC Core 9). */
export type ClientSecretMethod = 'client_secret_basic' | 'client_secret_post';

/** Remembers, per issuer and client, the client authentication method the provider accepted. */
export interface ClientAuthMemory {
  read(): Promise<ClientSecretMethod | undefined>;
  write(method: ClientSecretMethod): Promise<void>;
}

/** How to reach one client at one provider. */
export interface ProviderSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret?: string;
  fetch: Fetch;
  /** Where the working client authentication method is kept between runs (optional). */
  clientAuthMemory?: ClientAuthMemory;
}

/** A discovered provider with our client configured. */
export interface ProviderConnection {
  readonly issuer: string;
  /** The discovery document, as served. */
  readonly metadata: Readonly<Record<string, unknown>>;
  authorizationUrl(redirectUri: string, scopes: readonly string[], checks: AuthorizationChecks, extraParams: Record<string, string>): URL;
  exchangeCode(callbackUrl: URL, checks: AuthorizationChecks, redirectUri: string): Promise<TokenResult>;
  refresh(refreshToken: string): Promise<TokenResult>;
  /** RFC 8628 3.1: starts the device flow. */
  deviceAuthorization(scopes: readonly string[], extraParams: Record<string, string>): Promise<DeviceAuthorization>;
  /** RFC 8628 3.4-3.5: polls until the user approves; slow_down adds 5 s; aborts with `signal`. */
  pollDeviceGrant(authorization: DeviceAuthorization, signal: AbortSignal): Promise<TokenResult>;
  /** RFC 6749 4.3, the resource owner password credentials grant. */
  passwordGrant(username: string, password: string, scopes: readonly string[]): Promise<TokenResult>;
  /** RFC 6749 4.4, the client credentials grant (confidential clients). */
  clientCredentialsGrant(scopes: readonly string[], extraParams: Record<string, string>): Promise<TokenResult>;
  /** RFC 7009 revocation; false when the provider has no revocation_endpoint. */
  revoke(token: string, hint: 'refresh_token' | 'access_token'): Promise<boolean>;
  /** The RP-initiated logout URL (OIDC RP-Initiated Logout 1.0), or undefined without an end_session_endpoint. */
  endSessionUrl(idTokenHint: string): URL | undefined;
}

/** True for loopback hosts (127.0.0.0/8, ::1, localhost), the only plain-http providers we talk to. */
export { isLoopbackUrl } from './endpoint-security.js';

/** New PKCE verifier/challenge (S256), state and nonce. */
export async function newAuthorizationChecks(): Promise<AuthorizationChecks> {
  const codeVerifier = client.randomPKCECodeVerifier();
  return {
    codeVerifier,
    codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
    state: client.randomState(),
    nonce: client.randomNonce(),
  };
}

/** The fix for an ID token that failed a check, by the check that failed. */
function tokenFix(detail: string): string {
  if (/signature|key/i.test(detail)) {
    return "the provider's published keys (JWKS) do not verify its own token: if it is rotating keys, try again in a minute; otherwise tell its administrator";
  }
  if (/"(exp|iat|nbf)"|timestamp|expired/i.test(detail)) return "check this machine's clock against the provider's";
  return 'check that --oidc-issuer-url and --oidc-client-id match the provider';
}

/** The HTTP response behind an openid-client error, when it has one. */
function responseOf(error: unknown): Response | undefined {
  if (error instanceof client.ResponseBodyError || error instanceof client.WWWAuthenticateChallengeError) return error.response;
  if (error instanceof client.ClientError && error.cause instanceof Response) return error.cause;
  return undefined;
}

/** "an empty body", "a text/html body": what an error answer carried instead of an OAuth error object. */
function bodyOf(response: Response): string {
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  if (response.headers.get('content-length') === '0' || !type) return 'an empty body';
  return type === 'application/json' ? 'a JSON body with no OAuth error in it' : `a ${type} body`;
}

/** The fix for an error answer that does not say what is wrong, by HTTP status. */
function statusFix(status: number, endpoint: string): string {
  if (endpoint === 'discovery endpoint') {
    return "check --oidc-issuer-url: the provider must serve its discovery document at <issuer>/.well-known/openid-configuration (OIDC Discovery 1.0 section 4)";
  }
  if (status === 401 || status === 403) {
    return endpoint === 'token endpoint' || endpoint === 'revocation endpoint'
      ? 'check --oidc-client-id and --oidc-client-secret against the client registered at the provider, and that the client may use this grant'
      : "check that the client may use this endpoint at the provider; the provider's logs say why it refused";
  }
  if (status >= 500) return "the provider failed: try again later, or tell its administrator (its logs say why)";
  return "check the client's allowed grant types, scopes and redirect URIs at the provider (its logs say why it refused); if this was a refresh, log in again";
}

/**
 * Translates anything openid-client or the network threw into a KubeLoginError for `action`;
 * `endpoint` names the endpoint in messages ("token endpoint").
 */
export function translateOidcError(error: unknown, action: string, url: string, endpoint = 'provider'): KubeLoginError {
  if (error instanceof KubeLoginError) return error;
  const network = translateNetworkError(error, action, url);
  if (network) return network;
  const the = endpoint === 'provider' ? 'the provider' : `the ${endpoint}`;
  if (error instanceof client.WWWAuthenticateChallengeError) {
    // RFC 6750 3 / RFC 6749 5.2: a 401 with a WWW-Authenticate challenge instead of a JSON error body.
    const challenge = error.cause[0];
    const oauthError = challenge?.parameters.error;
    const detail = challenge ? ` (${challenge.scheme}${oauthError ? ` error=${oauthError}` : ''}${challenge.parameters.error_description ? `: ${challenge.parameters.error_description}` : ''})` : '';
    return new KubeLoginError('provider-rejected', action, `${the} answered HTTP ${error.status} with a WWW-Authenticate challenge${detail}`, {
      cause: error,
      fix: statusFix(error.status, endpoint),
      ...(oauthError ? { oauthError } : {}),
    });
  }
  const bare = responseOf(error);
  if (error instanceof client.ClientError && bare && !(error instanceof client.ResponseBodyError)) {
    // An error answer without a JSON error object (many providers send an empty body): say which
    // endpoint answered what, never openid-client's "unexpected response content-type".
    return new KubeLoginError('provider-rejected', action, `${the} answered HTTP ${bare.status} with ${bodyOf(bare)}`, { cause: error, fix: statusFix(bare.status, endpoint) });
  }
  if (error instanceof client.ResponseBodyError) {
    // The provider's words reach a terminal: no control characters, no line breaks that fake a fix line.
    const description = error.error_description ? `: ${terminalLine(error.error_description)}` : '';
    const fixes: Readonly<Record<string, string>> = {
      invalid_client: 'check --oidc-client-id and --oidc-client-secret against the client registered at the provider',
      invalid_grant: 'log in again (run the kubectl command again)',
      unauthorized_client: 'allow this grant type for the client at the provider',
      invalid_scope: 'remove or correct the --oidc-extra-scope values',
    };
    return new KubeLoginError('provider-rejected', action, `the provider answered ${terminalLine(error.error)}${description} (HTTP ${error.status})`, {
      cause: error,
      oauthError: error.error,
      ...(fixes[error.error] ? { fix: fixes[error.error] } : {}),
    });
  }
  if (error instanceof client.AuthorizationResponseError) {
    const description = error.error_description ? `: ${terminalLine(error.error_description)}` : '';
    return new KubeLoginError('login-denied', action, `the provider returned ${terminalLine(error.error)}${description}`, { cause: error, oauthError: error.error });
  }
  if (error instanceof client.ClientError) {
    const code = error.code ?? '';
    // openid-client wraps oauth4webapi's error, whose message names the failed check.
    const detail = error.cause instanceof Error && error.cause.message ? error.cause.message : error.message;
    if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' && /issuer/i.test(detail)) {
      return new KubeLoginError('provider-rejected', action, `the discovery document does not match the issuer URL: ${detail}`, {
        fix: 'pass --oidc-issuer-url exactly as the `issuer` in the provider\'s /.well-known/openid-configuration (mind the trailing slash)',
        cause: error,
      });
    }
    const tokenCheck = ['OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', 'OAUTH_KEY_SELECTION_FAILED'].includes(code);
    if (tokenCheck || /JWT|JWS|ID Token|signature/i.test(detail)) {
      return new KubeLoginError('token-invalid', action, `the ID token failed validation: ${detail}`, { fix: tokenFix(detail), cause: error });
    }
    return new KubeLoginError('provider-rejected', action, detail === error.message ? detail : `${error.message}: ${detail}`, { cause: error });
  }
  return new KubeLoginError('provider-rejected', action, describe(error), { cause: error });
}

function toTokenResult(response: client.TokenEndpointResponse & Partial<client.TokenEndpointResponseHelpers>): TokenResult {
  const claims = response.claims?.() as IdTokenClaims | undefined;
  return {
    accessToken: response.access_token,
    ...(response.id_token ? { idToken: response.id_token } : {}),
    ...(claims ? { claims } : {}),
    ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
    ...(typeof response.expires_in === 'number' ? { expiresIn: response.expires_in } : {}),
  };
}

/**
 * The method a confidential client tries first: the one that worked before, else the discovery
 * document's choice (RFC 8414 section 2, `<endpoint>_auth_methods_supported`): client_secret_basic,
 * which every server must support (RFC 6749 section 2.3.1), unless only client_secret_post is listed.
 */
function firstMethod(supported: unknown, remembered: ClientSecretMethod | undefined): ClientSecretMethod {
  if (remembered) return remembered;
  const methods = Array.isArray(supported) ? (supported as unknown[]) : undefined;
  return methods && methods.includes('client_secret_post') && !methods.includes('client_secret_basic') ? 'client_secret_post' : 'client_secret_basic';
}

/** OAuth errors about the grant or the user, not the client: another client authentication method cannot help. */
const GRANT_ERRORS = new Set(['invalid_grant', 'invalid_scope', 'unsupported_grant_type', 'authorization_pending', 'slow_down', 'access_denied', 'expired_token', 'invalid_request_uri']);

/**
 * Whether a request authenticated one way may succeed the other way: the provider answered 400, 401
 * or 403 with invalid_client, an empty or non-JSON body, a WWW-Authenticate challenge, or any other
 * error that is not about the grant. Many providers do not decode a form-encoded HTTP Basic client ID
 * (RFC 6749 2.3.1 requires it), and answer such a client with an empty 400 or 403.
 */
function mayBeClientAuthentication(error: unknown): boolean {
  if (error instanceof client.WWWAuthenticateChallengeError) return true;
  const response = responseOf(error);
  if (!response || ![400, 401, 403].includes(response.status)) return false;
  return !(error instanceof client.ResponseBodyError && GRANT_ERRORS.has(error.error));
}

/** Discovers the provider (OIDC Discovery 1.0) and configures our client on it. */
export async function connectProvider(settings: ProviderSettings): Promise<ProviderConnection> {
  const issuerUrl = new URL(settings.issuerUrl);
  const refused = plainHttpRefusal(settings.issuerUrl);
  if (refused) throw refused;
  // Defence in depth behind checkDiscoveryEndpoints: no request leaves for plain http off loopback.
  const fetch: Fetch = (url, init) => {
    if (!isSecureOrLoopbackUrl(new URL(url))) {
      return Promise.reject(new KubeLoginError('provider-rejected', `send a request to ${url}`, 'it is plain http to another host; kube-login sends nothing there', {
        fix: 'configure the provider to publish https URLs for every endpoint',
      }));
    }
    return settings.fetch(url, init);
  };
  let discovered: client.Configuration;
  try {
    discovered = await client.discovery(issuerUrl, settings.clientId, undefined, client.None(), {
      [client.customFetch]: fetch,
      ...(issuerUrl.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    throw translateOidcError(error, `read the provider's discovery document at ${settings.issuerUrl}`, settings.issuerUrl, 'discovery endpoint');
  }
  checkDiscoveryEndpoints(issuerUrl, discovered.serverMetadata() as unknown as Record<string, unknown>);
  const configure = (auth: client.ClientAuth): client.Configuration => {
    const config = new client.Configuration(discovered.serverMetadata(), settings.clientId, undefined, auth);
    config[client.customFetch] = fetch;
    if (issuerUrl.protocol === 'http:') client.allowInsecureRequests(config);
    // openid-client trusts TLS for ID tokens from the token endpoint (OIDC Core 3.1.3.7 step 6)
    // unless asked; we verify the JWS signature against the provider's JWKS as well.
    client.enableNonRepudiationChecks(config);
    return config;
  };
  const secret = settings.clientSecret;
  // The unauthenticated configuration builds URLs and serves public clients.
  const config = configure(client.None());
  const serverMetadata = discovered.serverMetadata();
  const configs = new Map<ClientSecretMethod, client.Configuration>();
  const byMethod = (method: ClientSecretMethod): client.Configuration => {
    let configured = configs.get(method);
    if (!configured) {
      configured = configure(method === 'client_secret_post' ? client.ClientSecretPost(secret as string) : client.ClientSecretBasic(secret as string));
      configs.set(method, configured);
    }
    return configured;
  };
  let remembered = secret ? await settings.clientAuthMemory?.read().catch(() => undefined) : undefined;
  // A confidential client tries one method, and once the other when the provider refuses the first
  // in a way that may be about client authentication; the method that worked is remembered per
  // issuer and client, so later calls (and later runs) make one request.
  const authenticated = async <T>(supported: unknown, call: (config: client.Configuration) => Promise<T>): Promise<T> => {
    if (!secret) return call(config);
    const first = firstMethod(supported, remembered);
    try {
      return await call(byMethod(first));
    } catch (error) {
      if (!mayBeClientAuthentication(error)) throw error;
      const other: ClientSecretMethod = first === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
      const result = await call(byMethod(other));
      remembered = other;
      await settings.clientAuthMemory?.write(other).catch(() => undefined);
      return result;
    }
  };
  const tokenMethods = serverMetadata.token_endpoint_auth_methods_supported;
  const metadata = config.serverMetadata();
  const tokenUrl = String(metadata.token_endpoint ?? settings.issuerUrl);
  return {
    issuer: metadata.issuer,
    metadata: metadata as unknown as Record<string, unknown>,
    authorizationUrl(redirectUri, scopes, checks, extraParams) {
      return client.buildAuthorizationUrl(config, {
        ...extraParams,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: ['openid', ...scopes].join(' '),
        code_challenge: checks.codeChallenge,
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce,
      });
    },
    async exchangeCode(callbackUrl, checks, redirectUri) {
      // openid-client sends the callback URL without its query as redirect_uri; it must be the
      // exact URI of the authorization request (RFC 6749 4.1.3), even if the browser used 127.0.0.1.
      const currentUrl = new URL(redirectUri);
      currentUrl.search = callbackUrl.search;
      try {
        const response = await authenticated(tokenMethods, (config) => client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        }));
        return toTokenResult(response);
      } catch (error) {
        throw translateOidcError(error, 'exchange the authorization code for tokens', tokenUrl, 'token endpoint');
      }
    },
    async refresh(refreshToken) {
      try {
        return toTokenResult(await authenticated(tokenMethods, (config) => client.refreshTokenGrant(config, refreshToken)));
      } catch (error) {
        throw translateOidcError(error, 'refresh the token', tokenUrl, 'token endpoint');
      }
    },
    async deviceAuthorization(scopes, extraParams) {
      const endpoint = String(metadata.device_authorization_endpoint ?? settings.issuerUrl);
      if (!metadata.device_authorization_endpoint) {
        throw new KubeLoginError('provider-rejected', 'start the device code login', 'the provider has no device_authorization_endpoint', {
          fix: 'enable the device authorization grant at the provider, or use --grant-type authcode',
        });
      }
      try {
        const response = await authenticated(tokenMethods, (config) => client.initiateDeviceAuthorization(config, { ...extraParams, scope: ['openid', ...scopes].join(' ') }));
        return {
          userCode: response.user_code,
          verificationUri: response.verification_uri,
          ...(response.verification_uri_complete ? { verificationUriComplete: response.verification_uri_complete } : {}),
          expiresIn: response.expires_in,
          ...(typeof response.interval === 'number' ? { interval: response.interval } : {}),
          handle: response,
        };
      } catch (error) {
        throw translateOidcError(error, 'start the device code login', endpoint, 'device authorization endpoint');
      }
    },
    async pollDeviceGrant(authorization, signal) {
      try {
        const response = await authenticated(tokenMethods, (config) => client.pollDeviceAuthorizationGrant(config, authorization.handle as client.DeviceAuthorizationResponse, undefined, { signal }));
        return toTokenResult(response);
      } catch (error) {
        if (signal.aborted && signal.reason instanceof KubeLoginError) throw signal.reason;
        throw translateOidcError(error, 'finish the device code login', tokenUrl, 'token endpoint');
      }
    },
    async passwordGrant(username, password, scopes) {
      try {
        return toTokenResult(await authenticated(tokenMethods, (config) => client.genericGrantRequest(config, 'password', { username, password, scope: ['openid', ...scopes].join(' ') })));
      } catch (error) {
        throw translateOidcError(error, 'log in with the password grant', tokenUrl, 'token endpoint');
      }
    },
    async clientCredentialsGrant(scopes, extraParams) {
      try {
        const scope = scopes.join(' ');
        return toTokenResult(await authenticated(tokenMethods, (config) => client.clientCredentialsGrant(config, { ...extraParams, ...(scope ? { scope } : {}) })));
      } catch (error) {
        throw translateOidcError(error, 'get a token with the client credentials grant', tokenUrl, 'token endpoint');
      }
    },
    async revoke(token, hint) {
      if (!metadata.revocation_endpoint) return false;
      try {
        await authenticated(serverMetadata['revocation_endpoint_auth_methods_supported'] ?? tokenMethods, (config) => client.tokenRevocation(config, token, { token_type_hint: hint }));
        return true;
      } catch (error) {
        throw translateOidcError(error, 'revoke the token', String(metadata.revocation_endpoint), 'revocation endpoint');
      }
    },
    endSessionUrl(idTokenHint) {
      if (!metadata.end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, { id_token_hint: idTokenHint });
    },
  };
}
