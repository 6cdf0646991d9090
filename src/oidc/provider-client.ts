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

/** How to reach one client at one provider. */
export interface ProviderSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret?: string;
  fetch: Fetch;
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

/** Translates anything openid-client or the network threw into a KubeLoginError for `action`. */
export function translateOidcError(error: unknown, action: string, url: string): KubeLoginError {
  if (error instanceof KubeLoginError) return error;
  const network = translateNetworkError(error, action, url);
  if (network) return network;
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
 * How a confidential client may authenticate, in order: client_secret_basic, which every server
 * must support (RFC 6749 section 2.3.1), then client_secret_post; discovery can rule either out
 * (token_endpoint_auth_methods_supported, RFC 8414 section 2).
 */
function clientSecretAuths(metadata: client.ServerMetadata, secret: string): client.ClientAuth[] {
  const methods = metadata.token_endpoint_auth_methods_supported;
  const auths: client.ClientAuth[] = [];
  if (!methods || methods.includes('client_secret_basic')) auths.push(client.ClientSecretBasic(secret));
  if (!methods || methods.includes('client_secret_post')) auths.push(client.ClientSecretPost(secret));
  return auths.length > 0 ? auths : [client.ClientSecretBasic(secret)];
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
    throw translateOidcError(error, `read the provider's discovery document at ${settings.issuerUrl}`, settings.issuerUrl);
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
  const configs = secret ? clientSecretAuths(discovered.serverMetadata(), secret).map(configure) : [configure(client.None())];
  const config = configs[0] as client.Configuration;
  // Like Go's oauth2 (kubelogin), a confidential client tries HTTP Basic first and falls back to the
  // request body when the provider answers invalid_client; the working method is kept for the run.
  const authenticated = async <T>(call: (config: client.Configuration) => Promise<T>): Promise<T> => {
    try {
      return await call(configs[0] as client.Configuration);
    } catch (error) {
      if (configs.length > 1 && error instanceof client.ResponseBodyError && error.error === 'invalid_client') {
        configs.shift();
        return call(configs[0] as client.Configuration);
      }
      throw error;
    }
  };
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
        const response = await authenticated((config) => client.authorizationCodeGrant(config, currentUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        }));
        return toTokenResult(response);
      } catch (error) {
        throw translateOidcError(error, 'exchange the authorization code for tokens', tokenUrl);
      }
    },
    async refresh(refreshToken) {
      try {
        return toTokenResult(await authenticated((config) => client.refreshTokenGrant(config, refreshToken)));
      } catch (error) {
        throw translateOidcError(error, 'refresh the token', tokenUrl);
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
        const response = await authenticated((config) => client.initiateDeviceAuthorization(config, { ...extraParams, scope: ['openid', ...scopes].join(' ') }));
        return {
          userCode: response.user_code,
          verificationUri: response.verification_uri,
          ...(response.verification_uri_complete ? { verificationUriComplete: response.verification_uri_complete } : {}),
          expiresIn: response.expires_in,
          ...(typeof response.interval === 'number' ? { interval: response.interval } : {}),
          handle: response,
        };
      } catch (error) {
        throw translateOidcError(error, 'start the device code login', endpoint);
      }
    },
    async pollDeviceGrant(authorization, signal) {
      try {
        const response = await authenticated((config) => client.pollDeviceAuthorizationGrant(config, authorization.handle as client.DeviceAuthorizationResponse, undefined, { signal }));
        return toTokenResult(response);
      } catch (error) {
        if (signal.aborted && signal.reason instanceof KubeLoginError) throw signal.reason;
        throw translateOidcError(error, 'finish the device code login', tokenUrl);
      }
    },
    async passwordGrant(username, password, scopes) {
      try {
        return toTokenResult(await authenticated((config) => client.genericGrantRequest(config, 'password', { username, password, scope: ['openid', ...scopes].join(' ') })));
      } catch (error) {
        throw translateOidcError(error, 'log in with the password grant', tokenUrl);
      }
    },
    async clientCredentialsGrant(scopes, extraParams) {
      try {
        const scope = scopes.join(' ');
        return toTokenResult(await authenticated((config) => client.clientCredentialsGrant(config, { ...extraParams, ...(scope ? { scope } : {}) })));
      } catch (error) {
        throw translateOidcError(error, 'get a token with the client credentials grant', tokenUrl);
      }
    },
    async revoke(token, hint) {
      if (!metadata.revocation_endpoint) return false;
      try {
        await authenticated((config) => client.tokenRevocation(config, token, { token_type_hint: hint }));
        return true;
      } catch (error) {
        throw translateOidcError(error, 'revoke the token', String(metadata.revocation_endpoint));
      }
    },
    endSessionUrl(idTokenHint) {
      if (!metadata.end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(config, { id_token_hint: idTokenHint });
    },
  };
}
