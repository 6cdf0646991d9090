// `kube-login status --all`: every context of the kubeconfig, with who its cached token names, how long
// it lasts and where it is kept. A context whose user is not a kube-login user is listed as such.
import { cacheKey } from '../cache/key.js';
import type { CachedTokens } from '../cache/token-set.js';
import { cacheKeyInputOf } from '../config/get-token-input.js';
import { describe, isKubeLoginError } from '../errors.js';
import type { ContextReading } from '../kube/login-context.js';
import type { Clock } from '../platform/clock.js';
import type { Logger } from '../platform/logger.js';
import { rememberSecrets } from './refresh.js';
import { type PendingLoginStatus, type SessionCache, identityFromIdToken, pendingLoginStatus } from './status.js';

/** The ports of status --all. */
export interface ContextsStatusDeps {
  /** The session cache of a cache directory. */
  sessions(cacheDir: string): SessionCache;
  clock: Clock;
  logger: Logger;
}

/** How long the context's token lasts, as a person reads it. */
export type ExpiryState = 'valid' | 'expired-refreshable' | 'login-needed';

/** One context in the report. */
export interface ContextStatus {
  context: string;
  current: boolean;
  user?: string;
  /** `kube-login` or `kubelogin` (whose flags kube-login takes); `not-kube-login`; `unusable` (its stanza does not parse). */
  kind: 'kube-login' | 'kubelogin' | 'not-kube-login' | 'unusable';
  /** Why the context is not usable by kube-login (not-kube-login, unusable). */
  reason?: string;
  issuer?: string;
  clientId?: string;
  /** Username and groups as the cached token says. */
  identity?: { username?: string; groups?: string[] };
  expiry?: { state: ExpiryState; expiresAt?: string; text: string };
  storage?: 'keychain' | 'file' | 'none';
  entryFile?: string;
  /** A login started with `login --no-wait` that waits for a person. */
  pendingLogin?: PendingLoginStatus;
  problems: string[];
}

/** The report of status --all. */
export interface ContextsReport {
  kubeconfig: readonly string[];
  currentContext?: string;
  contexts: ContextStatus[];
}

/** "43 min", "2 h", "12 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** The expiry line of a cached token set (or of nothing cached). */
export function expiryOf(tokens: CachedTokens | undefined, useAccessToken: boolean, nowMs: number): NonNullable<ContextStatus['expiry']> {
  if (!tokens) return { state: 'login-needed', text: 'login needed' };
  const expiresAt = useAccessToken ? (tokens.accessTokenExpiresAt ?? tokens.idTokenExpiresAt) : tokens.idTokenExpiresAt;
  const left = expiresAt === undefined ? 0 : expiresAt - nowMs / 1000;
  const iso = expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt * 1000).toISOString() };
  if (left > 0) return { state: 'valid', ...iso, text: `valid ${duration(left)}` };
  if (tokens.refreshToken) return { state: 'expired-refreshable', ...iso, text: 'expired, refreshable' };
  return { state: 'login-needed', ...iso, text: 'login needed' };
}

async function contextStatus(deps: ContextsStatusDeps, reading: ContextReading, current: boolean): Promise<ContextStatus> {
  const base = { context: reading.context, current, ...(reading.user === undefined ? {} : { user: reading.user }), problems: [] as string[] };
  if (reading.kind === 'not-kube-login') return { ...base, kind: 'not-kube-login', reason: reading.reason };
  if (reading.kind === 'unusable') return { ...base, kind: 'unusable', reason: reading.error.reason };
  const { input } = reading;
  const status: ContextStatus = { ...base, kind: reading.program, issuer: input.issuerUrl, clientId: input.clientId };
  if (input.storage === 'none') {
    return { ...status, storage: 'none', expiry: { state: 'login-needed', text: 'login needed (nothing is cached: --token-cache-storage none)' } };
  }
  const cache = deps.sessions(input.cacheDir);
  const id = cacheKey(cacheKeyInputOf(input)).id;
  Object.assign(status, pendingLoginStatus(await cache.pendingLogin?.(id)));
  const session = await cache.find(id);
  if (!session) return { ...status, expiry: expiryOf(undefined, input.useAccessToken, deps.clock.now()) };
  status.storage = session.storage === 'keyring' ? 'keychain' : 'file';
  status.entryFile = session.entryFile;
  let tokens: CachedTokens | undefined;
  try {
    tokens = await cache.readTokens(session);
    rememberSecrets(deps.logger, tokens);
  } catch (error) {
    status.problems.push(`the tokens could not be read: ${isKubeLoginError(error) ? error.reason : describe(error)}`);
  }
  const named = tokens?.idToken ?? tokens?.accessToken;
  const identity = named === undefined ? undefined : identityFromIdToken(named);
  if (identity) {
    const username = identity.email ?? identity.preferredUsername ?? identity.subject;
    status.identity = { ...(username === undefined ? {} : { username }), ...(identity.groups === undefined ? {} : { groups: identity.groups }) };
  }
  status.expiry = tokens ? expiryOf(tokens, input.useAccessToken, deps.clock.now()) : { state: 'login-needed', text: 'unknown (see the problem)' };
  return status;
}

/** The status of every context; never fails for one context. */
export async function contextsStatus(deps: ContextsStatusDeps, kubeconfig: readonly string[], current: string | undefined, readings: readonly ContextReading[]): Promise<ContextsReport> {
  const contexts: ContextStatus[] = [];
  for (const reading of readings) contexts.push(await contextStatus(deps, reading, reading.context === current));
  return { kubeconfig, ...(current === undefined ? {} : { currentContext: current }), contexts };
}

function identityText(status: ContextStatus): string {
  if (status.kind === 'not-kube-login') return `not a kube-login user: ${status.reason}`;
  if (status.kind === 'unusable') return `kube-login user, but unusable: ${status.reason}`;
  const who = status.identity?.username ?? '-';
  const groups = status.identity?.groups;
  return groups && groups.length > 0 ? `${who} (groups ${groups.join(', ')})` : who;
}

/** The human form: one row per context, kubectl get-contexts style (`*` marks the current one). */
export function formatContextsText(report: ContextsReport): string {
  if (report.contexts.length === 0) return `no contexts in ${report.kubeconfig.join(', ')}\n`;
  const rows = report.contexts.map((status) => {
    const name = `${status.current ? '*' : ' '} ${status.context}`;
    if (status.kind !== 'kube-login' && status.kind !== 'kubelogin') return [name, identityText(status)];
    const expiry = status.pendingLogin && status.expiry?.state !== 'valid' ? `${status.expiry?.text ?? 'login needed'}: login pending` : (status.expiry?.text ?? '');
    return [name, identityText(status), expiry, status.storage ?? '-'];
  });
  const header = ['  CONTEXT', 'IDENTITY', 'EXPIRY', 'STORAGE'];
  const all = [header, ...rows];
  // A row's last cell is not padded, so the long "not a kube-login user" lines do not widen the table.
  const widths = header.map((_, column) => Math.max(0, ...all.filter((row) => row.length > column + 1).map((row) => (row[column] ?? '').length)));
  const lines = all.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
  const problems = report.contexts.flatMap((status) => status.problems.map((problem) => `${status.context}: ${problem}`));
  for (const status of report.contexts) {
    const pending = status.pendingLogin;
    if (pending) problems.push(`${status.context}: a login is waiting for you until ${pending.expiresAt}: open ${pending.url}${pending.userCode === undefined ? '' : ` and enter the code ${pending.userCode}`}`);
  }
  return [...lines, ...problems].join('\n') + '\n';
}

/** The machine form (stable field names, no token). */
export function formatContextsJson(report: ContextsReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
