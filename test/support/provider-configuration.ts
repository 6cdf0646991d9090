// The oidc-provider configuration for the test provider: two clients, a demo user, refresh tokens, PKCE.
import type { JWK } from 'jose';

/** The demo user's claims; `sub` is also the login name typed into the login form. */
export interface ProviderUser {
  sub: string;
  email: string;
  email_verified: boolean;
  groups: string[];
  name: string;
  [claim: string]: unknown;
}

/** Everything the configuration depends on, resolved from startProvider's options. */
export interface ProviderSettings {
  user: ProviderUser;
  /** More accounts that can log in (same claim names as `user`). */
  otherUsers?: ProviderUser[];
  idTokenTtlSeconds: number;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  rotateRefreshTokens: boolean;
  publicClientId: string;
  confidentialClient: { id: string; secret: string; authMethod: 'client_secret_basic' | 'client_secret_post' };
  clientCredentials: { resource: string; audience: string };
  signingKey: JWK;
  cookieKey: string;
  /** Grant types registered on the provider by the test (startProvider's extraGrantTypes), allowed for both clients. */
  extraGrantTypes?: string[];
}

/** Claims released per scope; `openid` also carries any extra claim given in the user option. */
function claimsByScope(user: ProviderUser): Record<string, string[]> {
  const mapped = new Set(['sub', 'name', 'email', 'email_verified', 'groups']);
  const extra = Object.keys(user).filter((claim) => !mapped.has(claim));
  return {
    openid: ['sub', ...extra],
    profile: ['name'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  };
}

interface ClientLike {
  grantTypeAllowed(grantType: string): boolean;
}

interface GrantContext {
  oidc: { params?: Record<string, unknown> };
}

const LOOPBACK_REDIRECTS = ['http://localhost/', 'http://127.0.0.1/'];

/** oidc-provider's error class for an unknown resource (passed in: importing oidc-provider prints a warning). */
export type InvalidTargetError = new (description?: string) => Error;

/** Builds the oidc-provider configuration object from resolved settings. */
export function buildProviderConfiguration(
  settings: ProviderSettings,
  InvalidTarget: InvalidTargetError,
): Record<string, unknown> {
  const { user, clientCredentials } = settings;
  return {
    clients: [
      {
        // Public native client: any loopback port is accepted (RFC 8252), PKCE is mandatory.
        client_id: settings.publicClientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: LOOPBACK_REDIRECTS,
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code', ...(settings.extraGrantTypes ?? [])],
      },
      {
        // Confidential client: the browser flow with a secret, and client_credentials for CI.
        client_id: settings.confidentialClient.id,
        client_secret: settings.confidentialClient.secret,
        application_type: 'native',
        token_endpoint_auth_method: settings.confidentialClient.authMethod,
        redirect_uris: LOOPBACK_REDIRECTS,
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials', ...(settings.extraGrantTypes ?? [])],
      },
    ],
    jwks: { keys: [settings.signingKey] },
    cookies: { keys: [settings.cookieKey] },
    async findAccount(_ctx: unknown, id: string) {
      const account = [user, ...(settings.otherUsers ?? [])].find((candidate) => candidate.sub === id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account }) };
    },
    claims: claimsByScope(user),
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    // Put email/groups in the ID token too: kube-apiserver reads only the ID token.
    conformIdTokenClaims: false,
    // Real providers differ on when they issue refresh tokens; the test provider always does.
    async issueRefreshToken(_ctx: unknown, client: ClientLike) {
      return client.grantTypeAllowed('refresh_token');
    },
    // Rotation on: reusing a rotated refresh token fails and revokes the whole grant.
    rotateRefreshToken: settings.rotateRefreshTokens,
    pkce: { required: () => true },
    ttl: {
      IdToken: settings.idTokenTtlSeconds,
      AccessToken: settings.accessTokenTtlSeconds,
      ClientCredentials: settings.accessTokenTtlSeconds,
      RefreshToken: settings.refreshTokenTtlSeconds,
      AuthorizationCode: 60,
      DeviceCode: 600,
      Interaction: 600,
      Session: 86400,
      Grant: 86400,
    },
    features: {
      devInteractions: { enabled: true },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only client_credentials gets a resource: oidc-provider then issues a JWT access token.
        async defaultResource(ctx: GrantContext, _client: unknown, oneOf?: string) {
          if (oneOf) return oneOf;
          return ctx.oidc.params?.grant_type === 'client_credentials' ? clientCredentials.resource : undefined;
        },
        async getResourceServerInfo(_ctx: unknown, resource: string) {
          if (resource !== clientCredentials.resource) throw new InvalidTarget();
          return {
            scope: 'kubernetes',
            audience: clientCredentials.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: settings.accessTokenTtlSeconds,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
        async useGrantedResource() {
          return false;
        },
      },
    },
  };
}
