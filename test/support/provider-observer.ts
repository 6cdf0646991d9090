// Watches every request the test provider answers: counters, a request log, and every issued token
// and secret (kept in memory and recorded on disk for the leak check).
import type { ProviderContext, ProviderMiddleware } from 'oidc-provider';
import { newSecretRecord, newTokenRecord } from './leak-record.js';

/** Token endpoint requests by grant type (attempts, successful or not), and other request counts. */
export interface ProviderCounts {
  authorizationCode: number;
  refreshToken: number;
  deviceCode: number;
  clientCredentials: number;
  /** Refresh token grant requests that got an error (e.g. invalid_grant). */
  failedRefresh: number;
  discovery: number;
  jwks: number;
  /** Every HTTP request the provider received, login pages included. */
  total: number;
}

/** One request the provider answered (the path never includes the query, so no codes). */
export interface ProviderRequest {
  method: string;
  path: string;
  route: string | undefined;
  status: number;
}

/** What the observer has seen so far, plus the middleware that feeds it. */
export interface ProviderObserver {
  middleware: ProviderMiddleware;
  counts(): ProviderCounts;
  requests(): ProviderRequest[];
  issuedTokens(): string[];
  refreshTokens(): string[];
}

const GRANT_COUNTERS: Record<string, keyof ProviderCounts> = {
  authorization_code: 'authorizationCode',
  refresh_token: 'refreshToken',
  'urn:ietf:params:oauth:grant-type:device_code': 'deviceCode',
  client_credentials: 'clientCredentials',
};

const TOKEN_FIELDS = ['id_token', 'access_token', 'refresh_token'] as const;

function stringField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Creates an observer; `secrets` (e.g. client secrets) are recorded for the leak check straight away. */
export function createProviderObserver(secrets: string[]): ProviderObserver {
  const counts: ProviderCounts = {
    authorizationCode: 0, refreshToken: 0, deviceCode: 0, clientCredentials: 0,
    failedRefresh: 0, discovery: 0, jwks: 0, total: 0,
  };
  const requestLog: ProviderRequest[] = [];
  const issued: string[] = [];
  const refreshTokens: string[] = [];
  const tokenRecord = newTokenRecord();
  const secretRecord = newSecretRecord();
  // Secrets that are not tokens (codes, device codes, client secrets) go to their own record.
  const recordSecret = (secret: string | null | undefined): void => {
    if (secret) secretRecord.append(`${secret}\n`);
  };
  secrets.forEach(recordSecret);

  const onToken = (ctx: ProviderContext): void => {
    const grantType = ctx.oidc?.params?.grant_type;
    const counter = typeof grantType === 'string' ? GRANT_COUNTERS[grantType] : undefined;
    if (counter) counts[counter] += 1;
    if (grantType === 'refresh_token' && ctx.status >= 400) counts.failedRefresh += 1;
    const code = ctx.oidc?.params?.code;
    if (typeof code === 'string') recordSecret(code);
    const tokens = TOKEN_FIELDS.flatMap((field) => stringField(ctx.body, field) ?? []);
    if (tokens.length === 0) return;
    issued.push(...tokens);
    tokenRecord.append(tokens.map((token) => `${token}\n`).join(''));
    const refresh = stringField(ctx.body, 'refresh_token');
    if (refresh) refreshTokens.push(refresh);
  };

  const middleware: ProviderMiddleware = async (ctx, next) => {
    counts.total += 1;
    try {
      await next();
    } finally {
      const route = ctx.oidc?.route;
      requestLog.push({ method: ctx.method, path: ctx.path, route, status: ctx.status });
      if (route === 'discovery') counts.discovery += 1;
      if (route === 'jwks') counts.jwks += 1;
      if (route === 'token') onToken(ctx);
      if (route === 'authorization' || route === 'resume') {
        // The code travels in the redirect to the loopback callback; record it even if never redeemed.
        const location = ctx.response.get('location');
        recordSecret(location ? URL.parse(location)?.searchParams.get('code') : undefined);
      }
      if (route === 'device_authorization') recordSecret(stringField(ctx.body, 'device_code'));
    }
  };

  return {
    middleware,
    counts: () => ({ ...counts }),
    requests: () => requestLog.map((entry) => ({ ...entry })),
    issuedTokens: () => [...issued],
    refreshTokens: () => [...refreshTokens],
  };
}
