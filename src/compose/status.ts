// Builds the real ports of status (and the session cache logout and doctor share): entry files, the
// OS keychain (loaded only for keychain entries), and the lock files, all of one cache directory.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type EntryFile, entryFileName } from '../cache/entry-file.js';
import { DEFAULT_STALE_MS, inspectLock, lockFileName } from '../cache/file-lock.js';
import { FileTokenStore, listEntryFiles, readEntryFile, summarize } from '../cache/file-store.js';
import type { CacheKey } from '../cache/key.js';
import { readPendingLogin } from '../cache/pending-login.js';
import { type Keychain, KeychainTokenStore } from '../cache/keychain-store.js';
import type { CliContext } from '../cli/context.js';
import { KubeLoginError, describe } from '../errors.js';
import { systemClock } from '../platform/clock.js';
import { contextsStatus, formatContextsJson, formatContextsText } from '../usecases/status-contexts.js';
import { readEveryContext } from './kubeconfig-context.js';
import { type Logger, createLogger } from '../platform/logger.js';
import {
  type CachedSession,
  type LockStatus,
  type SessionCache,
  type SessionSelection,
  formatStatusJson,
  formatStatusText,
  status,
} from '../usecases/status.js';

/** Options of the session cache; tests pass a keychain. */
export interface SessionCacheOptions {
  keychain?: () => Keychain;
  staleMs?: number;
}

function toSession(dir: string, id: string, entry: EntryFile): CachedSession {
  return {
    ...summarize(id, entry),
    entryFile: join(dir, entryFileName(id)),
    ...(entry.storage === 'keyring' && entry.keychain ? { keychainItems: entry.keychain.chunks } : {}),
  };
}

/** The key of an entry as its file names it (the id is the file name, whatever the key hashes to). */
const keyOf = (session: CachedSession): CacheKey => ({ id: session.id, input: session.key });

/** The session cache of one directory. The keychain module is loaded only when a keychain entry is read. */
export function createSessionCache(dir: string, logger: Logger, options: SessionCacheOptions = {}): SessionCache {
  const files = new FileTokenStore(dir, logger);
  const keychain = new KeychainTokenStore(dir, logger, options.keychain ? { keychain: options.keychain } : {});
  const storeOf = (session: CachedSession) => (session.storage === 'keyring' ? keychain : files);
  return {
    dir,
    async list() {
      return (await listEntryFiles(dir, logger)).map(({ id, entry }) => toSession(dir, id, entry));
    },
    async find(id) {
      const entry = await readEntryFile(dir, id, logger);
      return entry ? toSession(dir, id, entry) : undefined;
    },
    // The keychain store reads file entries too (without loading the keychain).
    readTokens: (session) => keychain.read(keyOf(session)),
    writeTokens: (session, tokens) => storeOf(session).write(keyOf(session), tokens),
    remove: (session) => storeOf(session).remove(session.id),
    pendingLogin: (id) => readPendingLogin(dir, id),
    async lockState(id): Promise<LockStatus> {
      const path = join(dir, lockFileName(id));
      let state;
      try {
        state = await inspectLock(path, options.staleMs ?? DEFAULT_STALE_MS, hostname());
      } catch (error) {
        throw new KubeLoginError('cache', `read the token cache lock ${path}`, describe(error), { cause: error });
      }
      if (!state) return { state: 'free' };
      if (state.stale) return { state: 'stale', reason: state.stale, pid: state.info?.pid, host: state.info?.host };
      return { state: 'held', pid: state.info?.pid, host: state.info?.host, purpose: state.info?.purpose ?? '', since: state.info?.startedAt || undefined };
    },
  };
}

/** What the status command was asked. */
export interface StatusCommandInput {
  cacheDir: string;
  selection: SessionSelection;
  output: 'text' | 'json';
  verbose: boolean;
  /** The kubeconfig context the configuration comes from, when it does. */
  context?: string;
}

/** Runs status for real and returns the stdout text. */
export async function runStatus(ctx: CliContext, input: StatusCommandInput): Promise<string> {
  const logger = createLogger(ctx.stderr, input.verbose);
  const found = await status({ cache: createSessionCache(input.cacheDir, logger), clock: systemClock, logger }, input.selection);
  const report = input.context === undefined ? found : { context: input.context, ...found };
  // Defence in depth: every token read was registered with the redactor, so none can be printed.
  return logger.redactor.mask(input.output === 'json' ? formatStatusJson(report) : formatStatusText(report, systemClock.now()));
}

/** What status --all over the kubeconfig's contexts was asked. */
export interface ContextsStatusCommandInput {
  kubeconfig?: string;
  output: 'text' | 'json';
  verbose: boolean;
}

/** Runs status --all over every context of the kubeconfig and returns the stdout text. */
export async function runContextsStatus(ctx: CliContext, input: ContextsStatusCommandInput): Promise<string> {
  const logger = createLogger(ctx.stderr, input.verbose);
  const { paths, current, contexts } = await readEveryContext(ctx, input.kubeconfig);
  const report = await contextsStatus({ sessions: (dir) => createSessionCache(dir, logger), clock: systemClock, logger }, paths, current, contexts);
  return logger.redactor.mask(input.output === 'json' ? formatContextsJson(report) : formatContextsText(report));
}
