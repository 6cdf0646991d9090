// A real oidc-provider (v9) on 127.0.0.1 for integration tests and the demo, with request counters.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { createTestCerts } from './certs.js';
import { createProviderObserver, type ProviderCounts, type ProviderRequest } from './provider-observer.js';
import { buildProviderConfiguration, type ProviderSettings, type ProviderUser } from './provider-configuration.js';
import { requireLogin } from './provider-login-check.js';
import type { GrantTypeHandler } from 'oidc-provider';
import { quietProviderWarnings } from './quiet-provider-warnings.js';

/** Types callers of startProvider need (re-exported). */
export type { ProviderUser } from './provider-configuration.js';
export type { ProviderCounts, ProviderRequest } from './provider-observer.js';

/** Options for startProvider; every field has a test-friendly default. */
export interface StartProviderOptions {
  /** Serve HTTPS with a throwaway private CA (returned as caPem/caFile). Default: plain HTTP. */
  https?: boolean;
  /** ID token lifetime. Default 300 s. */
  idTokenTtlSeconds?: number;
  /** Access token lifetime (also client_credentials tokens). Default: same as the ID token. */
  accessTokenTtlSeconds?: number;
  /** Refresh token lifetime. Default 1 day. */
  refreshTokenTtlSeconds?: number;
  /** Claims merged over the demo user (sub demo-user, demo@example.com, groups developers+viewers). */
  user?: Partial<ProviderUser>;
  /** Password the login form requires. Default `demo-password`. */
  password?: string;
  /** More accounts that can log in (full claims, `sub` is the login name), each with its password. */
  otherUsers?: Array<{ user: ProviderUser; password: string }>;
  /** Rotate refresh tokens on every use; reusing an old one revokes the grant. Default true. */
  rotateRefreshTokens?: boolean;
  /** How kube-login-ci authenticates at the token endpoint. Default client_secret_basic. */
  confidentialAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** `aud` of client_credentials access tokens. Default `kube-login` (what the stand-in API server expects). */
  clientCredentialsAudience?: string;
  /** Grant types oidc-provider lacks (e.g. ROPC `password`), registered with registerGrantType and allowed for both clients. */
  extraGrantTypes?: ExtraGrantType[];
}

/** A grant type the test adds to oidc-provider: its name, its token request parameters, and its handler. */
export interface ExtraGrantType {
  name: string;
  parameters: string[];
  handler: GrantTypeHandler;
}

/** A running test provider. */
export interface TestProvider {
  readonly issuer: string;
  readonly port: number;
  /** The private CA's PEM, only with `https: true`. */
  readonly caPem: string | undefined;
  /** The private CA's file, only with `https: true`. */
  readonly caFile: string | undefined;
  readonly publicClientId: string;
  /**
   * The confidential client (authorization code, refresh, client_credentials). client_credentials gives
   * only an access token (oidc-provider never issues an ID token for it), made a JWT here via the
   * `resource` indicator: aud = clientCredentialsAudience, sub = kube-login-ci, so the stand-in API
   * server accepts it as `<issuer>#kube-login-ci`.
   */
  readonly confidentialClient: { id: string; secret: string; resource: string };
  readonly user: ProviderUser;
  readonly password: string;
  /** A snapshot of the counters. */
  counts(): ProviderCounts;
  /** The `prompt` of every authorization request, in order ('' when absent). */
  authorizationPrompts(): string[];
  /** Every request so far, in order. */
  requests(): ProviderRequest[];
  /** Every id_token, access_token and refresh_token the token endpoint returned, in order. */
  issuedTokens(): string[];
  /** Destroys every refresh token issued so far; the next refresh gets invalid_grant. Returns how many. */
  killRefreshTokens(): Promise<number>;
  /**
   * Serves, from now on, a JWKS whose key (under the real key's kid) is an unrelated one, as a
   * botched key rotation would: the tokens the provider signs no longer verify against its JWKS.
   */
  serveForeignJwks(): Promise<void>;
  /** Closes the server and its open connections. */
  stop(): Promise<void>;
}

const DEMO_USER: ProviderUser = {
  sub: 'demo-user',
  email: 'demo@example.com',
  email_verified: true,
  groups: ['developers', 'viewers'],
  name: 'Demo User',
};

async function signingKey(): Promise<ProviderSettings['signingKey']> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: `test-${randomBytes(6).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** Starts the provider on 127.0.0.1 with an OS-chosen port. */
export async function startProvider(options: StartProviderOptions = {}): Promise<TestProvider> {
  quietProviderWarnings();
  // Imported lazily so the warning filter is in place before oidc-provider prints at import time.
  const { default: Provider, errors } = await import('oidc-provider');

  const certs = options.https ? await createTestCerts('kube-login provider') : undefined;
  const server = certs ? createHttpsServer({ key: certs.keyPem, cert: certs.certPem }) : createHttpServer();
  const port = await listen(server);
  const issuer = `${certs ? 'https' : 'http'}://127.0.0.1:${port}`;

  const user: ProviderUser = { ...DEMO_USER, ...options.user } as ProviderUser;
  const password = options.password ?? 'demo-password';
  const idTokenTtlSeconds = options.idTokenTtlSeconds ?? 300;
  const settings: ProviderSettings = {
    user,
    otherUsers: (options.otherUsers ?? []).map((other) => other.user),
    idTokenTtlSeconds,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? idTokenTtlSeconds,
    refreshTokenTtlSeconds: options.refreshTokenTtlSeconds ?? 86400,
    rotateRefreshTokens: options.rotateRefreshTokens ?? true,
    publicClientId: 'kube-login',
    confidentialClient: {
      id: 'kube-login-ci',
      secret: randomBytes(24).toString('base64url'),
      authMethod: options.confidentialAuthMethod ?? 'client_secret_basic',
    },
    clientCredentials: {
      resource: 'urn:kube-login:test-apiserver',
      audience: options.clientCredentialsAudience ?? 'kube-login',
    },
    signingKey: await signingKey(),
    cookieKey: randomBytes(32).toString('base64url'),
    extraGrantTypes: (options.extraGrantTypes ?? []).map((grant) => grant.name),
  };
  const provider = new Provider(issuer, buildProviderConfiguration(settings, errors.InvalidTarget));
  // Registered before the first request: oidc-provider validates the static clients' grant_types lazily.
  for (const grant of options.extraGrantTypes ?? []) provider.registerGrantType(grant.name, grant.handler, grant.parameters);

  provider.on('server_error', (_ctx, error) => console.error('test provider: server_error:', error));

  let foreignJwks: { keys: unknown[] } | undefined;
  provider.use(async (ctx, next) => {
    await next();
    if (foreignJwks && ctx.oidc?.route === 'jwks') ctx.body = foreignJwks;
  });
  const prompts: string[] = [];
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/auth') {
      const query = new URLSearchParams(ctx.querystring);
      const prompt = query.get('prompt') ?? '';
      prompts.push(prompt);
      // oidc-provider's development pages have no account chooser; a real provider (Google, Entra ID)
      // shows one for select_account (OIDC Core 3.1.2.1). Its equivalent here is the login form.
      if (prompt === 'select_account') {
        query.set('prompt', 'login');
        ctx.querystring = query.toString();
      }
    }
    await next();
  });
  const observer = createProviderObserver([settings.confidentialClient.secret]);
  provider.use(observer.middleware);
  provider.use(requireLogin(user.sub, password, (options.otherUsers ?? []).map((other) => ({ username: other.user.sub, password: other.password }))));
  server.on('request', provider.callback());

  return {
    issuer,
    port,
    caPem: certs?.caPem,
    caFile: certs?.caFile,
    publicClientId: settings.publicClientId,
    confidentialClient: {
      id: settings.confidentialClient.id,
      secret: settings.confidentialClient.secret,
      resource: settings.clientCredentials.resource,
    },
    user,
    password,
    counts: observer.counts,
    authorizationPrompts: () => [...prompts],
    requests: observer.requests,
    issuedTokens: observer.issuedTokens,
    async serveForeignJwks() {
      // Same kid as the real key, so that the key is selected and the signature check itself fails.
      const { kty, n, e, alg, use } = (await signingKey()) as Record<string, unknown>;
      foreignJwks = { keys: [{ kty, n, e, kid: (settings.signingKey as { kid?: string }).kid, alg, use }] };
    },
    async killRefreshTokens() {
      let destroyed = 0;
      for (const value of observer.refreshTokens()) {
        const token = await provider.RefreshToken.find(value);
        if (token) {
          await token.destroy();
          destroyed += 1;
        }
      }
      return destroyed;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
