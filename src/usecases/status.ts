// `kube-login status`: who the cached tokens say you are, until when, where they are kept and
// whether a kube-login holds their lock. It decodes the cached ID token's claims and never prints a token.
import { freshUntil } from '../cache/expiry.js';
import type { CacheKey } from '../cache/key.js';
import type { PendingLogin } from '../cache/pending-login.js';
import type { CacheEntrySummary } from '../cache/token-store.js';
import type { CachedTokens } from '../cache/token-set.js';
import { describe, isKubeLoginError } from '../errors.js';
import { decodeJwtPayload } from '../oidc/jwt-claims.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { terminalLine } from '../platform/terminal-text.js';
import { rememberSecrets } from './refresh.js';

/** One entry of the token cache, without its secrets, and where it lives. */
export interface CachedSession extends CacheEntrySummary {
  /** `<cache-dir>/<id>.json`. */
  entryFile: string;
  /** Keychain storage: how many items hold the secrets. */
  keychainItems?: number;
}

/** Who holds the per-key lock. */
export type LockStatus =
  | { state: 'free' }
  | { state: 'held'; pid: number | undefined; host: string | undefined; purpose: string; since: string | undefined }
  | { state: 'stale'; reason: string; pid: number | undefined; host: string | undefined };

/** The token cache as status, logout and doctor see it: entries, their secrets, their locks. */
export interface SessionCache {
  readonly dir: string;
  /** Every readable entry of the directory (corrupt ones are reported through the logger and skipped). */
  list(): Promise<CachedSession[]>;
  /** The entry of one key id; undefined when there is none. */
  find(id: string): Promise<CachedSession | undefined>;
  /** The entry's tokens from the file or the OS keychain; throws KubeLoginError('keychain'). */
  readTokens(session: CachedSession): Promise<CachedTokens | undefined>;
  /** Replaces the entry's tokens, in the storage the entry uses. */
  writeTokens(session: CachedSession, tokens: CachedTokens): Promise<void>;
  /** Removes the entry file and its keychain items; true when something was removed. */
  remove(session: CachedSession): Promise<boolean>;
  lockState(id: string): Promise<LockStatus>;
  /** The live login started with --no-wait that waits for a person, if any. */
  pendingLogin?(id: string): Promise<PendingLogin | undefined>;
}

/** Which entries a command is about: one configuration (its cache key), or every entry (optionally filtered). */
export type SessionSelection = { kind: 'one'; key: CacheKey } | { kind: 'all'; issuer?: string; clientId?: string };

/** The ports of status. */
export interface StatusDeps {
  cache: SessionCache;
  clock: Clock;
  logger: Logger;
}

/** Freshness of a token, as get-token would judge it now. */
export type TokenState = 'valid' | 'refresh-due' | 'expired';

/** The identity the cached ID token names (claims only; the token itself is never kept here). */
export interface Identity {
  issuer?: string;
  subject?: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  preferredUsername?: string;
  groups?: string[];
  audience?: string[];
}

/** The status of one configuration. */
export interface SessionStatus {
  id: string;
  issuer: string;
  clientId: string;
  scopes: string[];
  extraParams: Record<string, string>;
  username?: string;
  loggedIn: boolean;
  identity?: Identity;
  /** Absent for an access-token-only set (client credentials). */
  idToken?: { expiresAt: string; issuedAt: string; refreshDueAt: string; state: TokenState };
  accessToken?: { expiresAt: string; state: TokenState };
  refreshToken?: { held: boolean };
  storage?: { kind: 'keyring' | 'disk'; entryFile: string; keychainItems?: number };
  lock: LockStatus;
  /** A login started with `login --no-wait` that waits for a person (no secret: the URL to open, the log). */
  pendingLogin?: PendingLoginStatus;
  updatedAt?: string;
  /** Why part of the status could not be read (for example a locked keychain). */
  problems: string[];
}

/** A pending login as status shows it. */
export interface PendingLoginStatus {
  url: string;
  userCode?: string;
  grant: PendingLogin['grant'];
  expiresAt: string;
  pid: number;
  logFile: string;
}

/** The status form of a pending login. */
export function pendingLoginStatus(pending: PendingLogin | undefined): { pendingLogin?: PendingLoginStatus } {
  if (!pending) return {};
  return {
    pendingLogin: {
      url: pending.url,
      ...(pending.userCode === undefined ? {} : { userCode: pending.userCode }),
      grant: pending.grant,
      expiresAt: pending.expiresAt,
      pid: pending.pid,
      logFile: pending.logFile,
    },
  };
}

/** The status report: the cache directory and one status per selected configuration. */
export interface StatusReport {
  /** The kubeconfig context the configuration comes from (status --context, or the current context). */
  context?: string;
  cacheDir: string;
  sessions: SessionStatus[];
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/** How a token's expiry compares with now: get-token refreshes from `freshUntil` on. */
export function tokenState(expiresAt: number, refreshDueAt: number, nowMs: number): TokenState {
  if (nowMs / 1000 >= expiresAt) return 'expired';
  if (nowMs / 1000 >= refreshDueAt) return 'refresh-due';
  return 'valid';
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const list = (value: unknown): string[] | undefined => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return undefined;
};

/** The identity claims of an ID token (undefined when it is not a JWT). */
export function identityFromIdToken(idToken: string): Identity | undefined {
  const claims = decodeJwtPayload(idToken);
  if (!claims) return undefined;
  const identity: Identity = {};
  const set = <K extends keyof Identity>(name: K, value: Identity[K] | undefined): void => {
    if (value !== undefined) identity[name] = value;
  };
  set('issuer', text(claims['iss']));
  set('subject', text(claims['sub']));
  set('email', text(claims['email']));
  set('emailVerified', typeof claims['email_verified'] === 'boolean' ? claims['email_verified'] : undefined);
  set('name', text(claims['name']));
  set('preferredUsername', text(claims['preferred_username']));
  set('groups', list(claims['groups']));
  set('audience', list(claims['aud']));
  return identity;
}

/** The entries a selection names; `one` gives an empty list when nothing is cached for the key. */
export async function selectSessions(cache: SessionCache, selection: SessionSelection): Promise<CachedSession[]> {
  if (selection.kind === 'one') {
    const found = await cache.find(selection.key.id);
    return found ? [found] : [];
  }
  return (await cache.list()).filter(
    (session) =>
      (selection.issuer === undefined || session.key.issuer === selection.issuer) &&
      (selection.clientId === undefined || session.key.clientId === selection.clientId),
  );
}

function notLoggedIn(key: CacheKey, lock: LockStatus, pending: PendingLogin | undefined): SessionStatus {
  return {
    id: key.id,
    issuer: key.input.issuer,
    clientId: key.input.clientId,
    scopes: key.input.scopes,
    extraParams: key.input.extraParams,
    ...(key.input.username === undefined ? {} : { username: key.input.username }),
    loggedIn: false,
    lock,
    ...pendingLoginStatus(pending),
    problems: [],
  };
}

async function sessionStatus(deps: StatusDeps, session: CachedSession): Promise<SessionStatus> {
  const { times } = session;
  const problems: string[] = [];
  let identity: Identity | undefined;
  try {
    const tokens = await deps.cache.readTokens(session);
    rememberSecrets(deps.logger, tokens);
    if (!tokens) problems.push('the tokens of this entry could not be read (see the warning above)');
    else {
      // Without an ID token (client credentials) a JWT access token still names the client (RFC 9068).
      const named = tokens.idToken ?? tokens.accessToken;
      identity = named === undefined ? undefined : identityFromIdToken(named);
      if (!identity) problems.push(`the cached ${tokens.idToken ? 'ID' : 'access'} token is not a JWT`);
    }
  } catch (error) {
    problems.push(`the identity is unknown: could not read the tokens: ${isKubeLoginError(error) ? error.reason : describe(error)}`);
  }
  const status: SessionStatus = {
    id: session.id,
    issuer: session.key.issuer,
    clientId: session.key.clientId,
    scopes: session.key.scopes,
    extraParams: session.key.extraParams,
    ...(session.key.username === undefined ? {} : { username: session.key.username }),
    loggedIn: true,
    ...(identity ? { identity } : {}),
    ...(times.idTokenExpiresAt === undefined
      ? {}
      : {
          idToken: {
            expiresAt: iso(times.idTokenExpiresAt),
            issuedAt: iso(times.idTokenIssuedAt ?? times.idTokenExpiresAt),
            refreshDueAt: iso(freshUntil(times, false)),
            state: tokenState(times.idTokenExpiresAt, freshUntil(times, false), deps.clock.now()),
          },
        }),
    ...(times.accessTokenExpiresAt === undefined
      ? {}
      : { accessToken: { expiresAt: iso(times.accessTokenExpiresAt), state: tokenState(times.accessTokenExpiresAt, freshUntil(times, true), deps.clock.now()) } }),
    refreshToken: { held: session.hasRefreshToken },
    storage: {
      kind: session.storage,
      entryFile: session.entryFile,
      ...(session.keychainItems === undefined ? {} : { keychainItems: session.keychainItems }),
    },
    lock: await deps.cache.lockState(session.id),
    ...pendingLoginStatus(await deps.cache.pendingLogin?.(session.id)),
    updatedAt: session.updatedAt,
    problems,
  };
  return status;
}

/** The status of one configuration or of every cached one. */
export async function status(deps: StatusDeps, selection: SessionSelection): Promise<StatusReport> {
  const sessions = await selectSessions(deps.cache, selection);
  if (selection.kind === 'one' && sessions.length === 0) {
    const pending = await deps.cache.pendingLogin?.(selection.key.id);
    return { cacheDir: deps.cache.dir, sessions: [notLoggedIn(selection.key, await deps.cache.lockState(selection.key.id), pending)] };
  }
  const statuses: SessionStatus[] = [];
  for (const session of sessions) statuses.push(await sessionStatus(deps, session));
  return { cacheDir: deps.cache.dir, sessions: statuses };
}

/** "in 4 min", "2 h ago", from a difference in seconds. */
export function relativeTime(seconds: number): string {
  const magnitude = Math.abs(seconds);
  const amount =
    magnitude < 90 ? `${Math.round(magnitude)} s` : magnitude < 5400 ? `${Math.round(magnitude / 60)} min` : magnitude < 172_800 ? `${Math.round(magnitude / 3600)} h` : `${Math.round(magnitude / 86_400)} days`;
  return seconds >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** One line for a lock. */
export function describeLock(lock: LockStatus): string {
  if (lock.state === 'free') return 'free';
  const holder = lock.pid === undefined ? 'an unknown process' : `pid ${lock.pid}${lock.host ? ` on ${lock.host}` : ''}`;
  if (lock.state === 'stale') return `stale (left by ${holder}: ${lock.reason}); the next kube-login breaks it`;
  return `held by ${holder}, ${lock.purpose || 'holding it'}${lock.since ? ` since ${lock.since}` : ''}`;
}

function configurationLine(session: SessionStatus): string {
  const parts = [`${session.issuer}`, `client ${session.clientId}`];
  if (session.scopes.length > 0) parts.push(`scopes ${session.scopes.join(' ')}`);
  const extra = Object.entries(session.extraParams);
  if (extra.length > 0) parts.push(`params ${extra.map(([name, value]) => `${name}=${value}`).join(' ')}`);
  if (session.username !== undefined) parts.push(`username ${session.username}`);
  return parts.join(' · ');
}

function identityLine(identity: Identity | undefined): string {
  if (!identity) return 'unknown';
  const who = identity.email ?? identity.preferredUsername ?? identity.name ?? identity.subject ?? 'an unnamed user';
  const details: string[] = [];
  if (identity.subject !== undefined && identity.subject !== who) details.push(`sub ${identity.subject}`);
  if (identity.email !== undefined && identity.emailVerified === false) details.push('email not verified');
  return details.length > 0 ? `${who} (${details.join(', ')})` : who;
}

/** The human form of the report (stdout). */
export function formatStatusText(report: StatusReport, nowMs: number): string {
  const lines: string[] = [];
  if (report.sessions.length === 0) return `no cached sessions in ${report.cacheDir}\n`;
  if (report.context !== undefined) lines.push(`context ${report.context}`);
  const row = (label: string, value: string): void => {
    // Claims and lock files are not ours: one line each, no control characters (see terminal-text.ts).
    lines.push(`  ${label.padEnd(10)}  ${terminalLine(value)}`);
  };
  for (const session of report.sessions) {
    if (lines.length > 0 && report.context === undefined) lines.push('');
    lines.push(terminalLine(configurationLine(session)));
    const pendingRow = (): void => {
      const pending = session.pendingLogin;
      if (!pending) return;
      const open = pending.userCode === undefined ? `open ${pending.url}` : `open ${pending.url} and enter the code ${pending.userCode}`;
      row('pending', `a login is waiting for you (${pending.grant}, pid ${pending.pid}) until ${pending.expiresAt}: ${open}`);
      row('login log', pending.logFile);
    };
    if (!session.loggedIn) {
      row('status', session.pendingLogin ? 'not logged in yet: a login is waiting for you' : 'not logged in: nothing is cached for this configuration; the next kubectl command (or get-token) logs in');
      pendingRow();
      row('lock', describeLock(session.lock));
      continue;
    }
    pendingRow();
    row('identity', identityLine(session.identity));
    if (session.identity?.issuer !== undefined && session.identity.issuer !== session.issuer) row('token iss', session.identity.issuer);
    if (session.identity?.groups !== undefined) row('groups', session.identity.groups.length > 0 ? session.identity.groups.join(', ') : '(empty)');
    else if (session.identity) row('groups', '(no groups claim in the ID token)');
    if (session.idToken) {
      const left = Date.parse(session.idToken.expiresAt) / 1000 - nowMs / 1000;
      const state =
        session.idToken.state === 'expired'
          ? `expired ${relativeTime(left)}`
          : session.idToken.state === 'refresh-due'
            ? `expires ${relativeTime(left)}: refresh due (the next get-token refreshes it)`
            : `valid, expires ${relativeTime(left)}`;
      row('ID token', `${state} (${session.idToken.expiresAt})`);
    }
    if (!session.idToken) row('ID token', 'none: an access token only (client credentials), used with --oidc-use-access-token');
    if (session.accessToken) {
      const left = Date.parse(session.accessToken.expiresAt) / 1000 - nowMs / 1000;
      row('access', `${left <= 0 ? 'expired' : 'expires'} ${relativeTime(left)} (${session.accessToken.expiresAt})`);
    }
    row('refresh', session.refreshToken?.held ? 'a refresh token is held' : 'no refresh token: when the ID token expires, the next kubectl command needs a new login');
    if (session.storage) {
      row(
        'storage',
        session.storage.kind === 'keyring'
          ? `OS keychain (${session.storage.keychainItems ?? 1} item${session.storage.keychainItems === 1 || session.storage.keychainItems === undefined ? '' : 's'}, service kube-login); metadata in ${session.storage.entryFile}`
          : `file ${session.storage.entryFile} (mode 0600)`,
      );
    }
    row('lock', describeLock(session.lock));
    for (const problem of session.problems) row('problem', problem);
  }
  return lines.join('\n') + '\n';
}

/** The machine form of the report (stdout): stable field names, no token. */
export function formatStatusJson(report: StatusReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
