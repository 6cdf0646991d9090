// Turns raw get-token flags into the validated, typed input of the get-token use case.
import { readFileSync } from 'node:fs';
import { KubeLoginError, describe } from '../errors.js';
import { resolveCacheDir } from '../cache/cache-dir.js';
import { expandHome } from '../platform/expand-home.js';
import type { CacheKeyInput } from '../cache/key.js';
import type { TlsOptions } from '../oidc/http.js';
import type { RawGetTokenFlags } from './get-token-flags.js';

/** The grants kube-login can run. */
export const GRANT_TYPES = ['auto', 'authcode', 'authcode-keyboard', 'device-code', 'password', 'client-credentials'] as const;
/** One of GRANT_TYPES. */
export type GrantType = (typeof GRANT_TYPES)[number];

/** The token cache storages; `auto` prefers the keychain. */
export const STORAGE_KINDS = ['auto', 'keyring', 'disk', 'none'] as const;
/** One of STORAGE_KINDS. */
export type StorageSetting = (typeof STORAGE_KINDS)[number];

/** A loopback address to listen on for the redirect. */
export interface ListenAddress {
  host: string;
  port: number;
}


/** Everything get-token needs, validated. */
export interface GetTokenInput {
  issuerUrl: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  extraParams: Record<string, string>;
  redirectHostname: string;
  useAccessToken: boolean;
  grantType: GrantType;
  listenAddresses: ListenAddress[];
  browserCommand?: string;
  skipOpenBrowser: boolean;
  authenticationTimeoutSeconds: number;
  username?: string;
  password?: string;
  noLogin: boolean;
  cacheDir: string;
  storage: StorageSetting;
  tls: TlsOptions;
  forceRefresh: boolean;
  verbose: boolean;
}

/** kubelogin's defaults: 8000 first, then 18000, both on loopback. */
export const DEFAULT_LISTEN_ADDRESSES: readonly ListenAddress[] = [
  { host: '127.0.0.1', port: 8000 },
  { host: '127.0.0.1', port: 18000 },
];

const usage = (flag: string, value: string, reason: string, fix?: string): KubeLoginError =>
  new KubeLoginError('usage', `use --${flag} ${JSON.stringify(value)}`, reason, fix === undefined ? {} : { fix });

/** Parses `host:port` (or `[v6]:port`); the host must be a loopback address (RFC 8252 section 7.3). */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535) {
    throw usage('listen-address', value, 'expected HOST:PORT, for example 127.0.0.1:8000 (port 0 picks a free port)');
  }
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (!loopback) {
    throw usage('listen-address', value, 'the redirect listener only binds to a loopback address (RFC 8252 section 7.3)', 'use 127.0.0.1:PORT');
  }
  return { host: host === 'localhost' ? '127.0.0.1' : host, port };
}

/** Parses `key=value` pairs of --oidc-auth-request-extra-params. */
export function parseExtraParams(values: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw usage('oidc-auth-request-extra-params', value, 'expected KEY=VALUE');
    params[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return params;
}

const oneOf = <T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T => {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usage(flag, value, `expected one of ${allowed.join(', ')}`);
};

/** The environment variable holding the client secret; a kubeconfig can set it in `exec.env`. */
export const CLIENT_SECRET_ENV = 'KUBE_LOGIN_OIDC_CLIENT_SECRET';

/**
 * The client secret: --oidc-client-secret, else the file of --oidc-client-secret-file (one trailing
 * newline dropped, as `echo` writes it), else KUBE_LOGIN_OIDC_CLIENT_SECRET. The flag is visible to
 * every local user through ps (/proc/PID/cmdline); the file and the environment are not.
 */
export function clientSecretOf(raw: RawGetTokenFlags, env: NodeJS.ProcessEnv, home: string): string | undefined {
  const flag = raw.strings['oidc-client-secret'];
  if (flag) return flag;
  const file = raw.strings['oidc-client-secret-file'];
  if (file !== undefined) {
    const path = expandHome(file, home);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new KubeLoginError('usage', `read the client secret file ${path} (--oidc-client-secret-file)`, describe(error), {
        fix: 'pass the path of a file you can read that holds only the client secret (create it with `umask 077` so only you can read it)',
      });
    }
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') {
      throw new KubeLoginError('usage', `read the client secret file ${path} (--oidc-client-secret-file)`, 'the file is empty', {
        fix: 'write the client secret into the file, e.g. `umask 077; printf %s "$SECRET" > FILE`',
      });
    }
    return secret;
  }
  return env[CLIENT_SECRET_ENV] || undefined;
}

/** Validates raw flags into a GetTokenInput; throws KubeLoginError('usage') naming the bad flag. */
export function toGetTokenInput(raw: RawGetTokenFlags, env: NodeJS.ProcessEnv, home: string): GetTokenInput {
  const s = raw.strings;
  const issuerUrl = s['oidc-issuer-url'];
  const clientId = s['oidc-client-id'];
  if (!issuerUrl) throw new KubeLoginError('usage', 'start get-token', '--oidc-issuer-url is missing', { fix: 'pass --oidc-issuer-url=https://your-provider' });
  if (!clientId) throw new KubeLoginError('usage', 'start get-token', '--oidc-client-id is missing', { fix: 'pass --oidc-client-id=ID as registered at the provider' });
  let parsed: URL;
  try {
    parsed = new URL(issuerUrl);
  } catch {
    throw usage('oidc-issuer-url', issuerUrl, 'it is not a URL', 'pass the issuer exactly as the provider publishes it, e.g. https://idp.example.com');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw usage('oidc-issuer-url', issuerUrl, 'the scheme must be https');
  const timeoutText = s['authentication-timeout-sec'] ?? '180';
  const timeout = Number(timeoutText);
  if (!Number.isInteger(timeout) || timeout <= 0) throw usage('authentication-timeout-sec', timeoutText, 'expected a positive whole number of seconds');
  const listen = raw.lists['listen-address'];
  const caData = raw.lists['certificate-authority-data'] ?? [];
  // KUBECACHEDIR is honoured as kubelogin does (int128/kubelogin#975).
  const cacheDirFlag = s['token-cache-dir'] ?? (env['KUBECACHEDIR'] ? `${env['KUBECACHEDIR']}/kube-login` : undefined);
  const input: GetTokenInput = {
    issuerUrl,
    clientId,
    scopes: [...new Set(raw.lists['oidc-extra-scope'] ?? [])].filter((scope) => scope !== 'openid'),
    extraParams: parseExtraParams(raw.lists['oidc-auth-request-extra-params'] ?? []),
    redirectHostname: s['oidc-redirect-url-hostname'] ?? 'localhost',
    useAccessToken: raw.booleans['oidc-use-access-token'] === true,
    grantType: oneOf('grant-type', s['grant-type'], GRANT_TYPES, 'auto'),
    listenAddresses: listen && listen.length > 0 ? listen.map(parseListenAddress) : [...DEFAULT_LISTEN_ADDRESSES],
    skipOpenBrowser: raw.booleans['skip-open-browser'] === true,
    authenticationTimeoutSeconds: timeout,
    noLogin: raw.booleans['no-login'] === true,
    cacheDir: resolveCacheDir(cacheDirFlag, home),
    storage: oneOf('token-cache-storage', s['token-cache-storage'], STORAGE_KINDS, 'auto'),
    tls: {
      certificateAuthorityFiles: (raw.lists['certificate-authority'] ?? []).map((file) => expandHome(file, home)),
      certificateAuthorityData: caData,
      insecureSkipTlsVerify: raw.booleans['insecure-skip-tls-verify'] === true,
    },
    forceRefresh: raw.booleans['force-refresh'] === true,
    verbose: raw.booleans['verbose'] === true,
  };
  const clientSecret = clientSecretOf(raw, env, home);
  if (clientSecret) input.clientSecret = clientSecret;
  if (s['browser-command']) input.browserCommand = s['browser-command'];
  if (s['username']) input.username = s['username'];
  if (s['password']) input.password = s['password'];
  return input;
}

/** The cache key input of a get-token configuration. */
export function cacheKeyInputOf(input: GetTokenInput): CacheKeyInput {
  return {
    issuer: input.issuerUrl,
    clientId: input.clientId,
    scopes: input.scopes,
    extraParams: input.extraParams,
    ...(input.username === undefined ? {} : { username: input.username }),
  };
}
