// `kube-login clean`: removes every cache entry of one cache directory (entry files, their keychain
// items and the orphans a crash left, locks nobody holds, leftovers, the notice marker) and says what.
import { readFile, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { KubeLoginError, describe } from '../errors.js';
import type { Logger } from '../platform/logger.js';
import { parseEntryFile, type EntryFile } from '../cache/entry-file.js';
import { DEFAULT_STALE_MS, inspectLock } from '../cache/file-lock.js';
import { cancelPendingLogin } from '../cache/pending-login.js';
import { accountsOf, parseAccount } from '../cache/keychain-chunks.js';
import { keychainError } from '../cache/keychain-errors.js';
import { type Keychain, cacheDirTag, loadNativeKeychain } from '../cache/keychain-store.js';
import { FALLBACK_NOTICE_MARKER } from '../cache/select-store.js';

/** What to clean. */
export interface CleanInput {
  cacheDir: string;
}

/** The ports of clean; the OS keychain when `keychain` is absent. */
export interface CleanDeps {
  logger: Logger;
  keychain?: () => Keychain;
}

/** What clean removed and what it left. */
export interface CleanReport {
  dir: string;
  entryFiles: number;
  keychainItems: number;
  lockFiles: number;
  /** Temporary files of interrupted writes and of lock breaking. */
  leftoverFiles: number;
  noticeMarker: boolean;
  /** Locks held by a running kube-login: left in place. */
  locksInUse: string[];
  /** kube-login keychain items that belong to other cache directories: left in place. */
  otherDirItems: number;
  /** Entry files kept because their keychain items could not be removed. */
  keptEntryFiles: number;
  /** Logins started with `login --no-wait` that were waiting for a person: cancelled. */
  pendingLogins: number;
}

const ENTRY = /^([0-9a-f]{64})\.json$/;
const LOCK = /^[0-9a-f]{64}\.lock$/;
const CLIENT_AUTH_MEMORY = /^client-auth-[0-9a-f]{64}\.json$/;
const LEFTOVER = /^(?:[0-9a-f]{64}\.lock\.(?:break|stale-[0-9]+-[0-9a-f]+)|\..+\.tmp|[0-9a-f]{64}\.login\.log)$/;
const PENDING = /^([0-9a-f]{64})\.pending$/;

const plural = (count: number, one: string, many: string = `${one}s`): string => `${count} ${count === 1 ? one : many}`;

/** Removes everything kube-login keeps for the directory; throws KubeLoginError('keychain') when keychain items stay. */
export async function clean(deps: CleanDeps, input: CleanInput): Promise<CleanReport> {
  const { logger } = deps;
  const dir = input.cacheDir;
  const report: CleanReport = {
    dir,
    entryFiles: 0,
    keychainItems: 0,
    lockFiles: 0,
    leftoverFiles: 0,
    noticeMarker: false,
    locksInUse: [],
    otherDirItems: 0,
    keptEntryFiles: 0,
    pendingLogins: 0,
  };
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new KubeLoginError('cache', `list the token cache ${dir}`, describe(error), { cause: error });
    }
    names = [];
  }
  const remove = async (name: string): Promise<void> => {
    await rm(join(dir, name), { force: true });
  };

  // A login waiting for a person would write the cache again later: cancel it first (its process exits).
  for (const name of names) {
    const id = PENDING.exec(name)?.[1];
    if (!id) continue;
    if (await cancelPendingLogin(dir, id)) report.pendingLogins++;
    await remove(name);
  }

  // Entry files: remember which keychain items each one names (a corrupt one names none).
  const entries: Array<{ name: string; id: string; entry: EntryFile | undefined }> = [];
  for (const name of names) {
    const id = ENTRY.exec(name)?.[1];
    if (!id) continue;
    const parsed = parseEntryFile(await readFile(join(dir, name), 'utf8').catch(() => ''));
    entries.push({ name, id, entry: typeof parsed === 'string' ? undefined : parsed });
  }

  // Keychain items: those the entries name, then this directory's orphans (interrupted writes, probes).
  const keyringEntries = entries.filter(({ entry }) => entry?.storage === 'keyring' && entry.keychain);
  let failure: KubeLoginError | undefined;
  const failed = new Set<string>();
  let keychain: Keychain | undefined;
  try {
    keychain = (deps.keychain ?? loadNativeKeychain)();
  } catch (error) {
    failure = keychainError('open the OS keychain', error);
  }
  if (keychain) {
    for (const { id, entry } of keyringEntries) {
      try {
        for (const account of accountsOf(id, entry?.keychain ?? { generation: '', chunks: 0 })) {
          if (keychain.delete(account)) report.keychainItems++;
        }
      } catch (error) {
        failure ??= keychainError('remove tokens from the OS keychain', error);
        failed.add(id);
      }
    }
    const tag = `${cacheDirTag(dir)}-`;
    try {
      for (const account of keychain.accounts()) {
        const parsed = parseAccount(account);
        if (!parsed) continue;
        if (!parsed.generation.startsWith(tag)) {
          report.otherDirItems++;
          continue;
        }
        if (keychain.delete(account)) report.keychainItems++;
      }
    } catch (error) {
      // Searching is a convenience: without it only orphans stay (the entries' items are gone).
      logger.debug(`could not search the OS keychain for leftover kube-login items: ${describe(error)}`);
    }
  } else {
    for (const { id } of keyringEntries) failed.add(id);
  }

  for (const { name, id } of entries) {
    // An entry whose items could not be removed stays: it is how the next clean finds them.
    if (failed.has(id)) {
      report.keptEntryFiles++;
      continue;
    }
    await remove(name);
    report.entryFiles++;
  }
  const host = hostname();
  for (const name of names) {
    if (LOCK.test(name)) {
      const state = await inspectLock(join(dir, name), DEFAULT_STALE_MS, host).catch(() => undefined);
      if (state && !state.stale) {
        report.locksInUse.push(state.info ? `pid ${state.info.pid} on ${state.info.host}` : join(dir, name));
        continue;
      }
      await remove(name);
      report.lockFiles++;
    } else if (LEFTOVER.test(name)) {
      await remove(name);
      report.leftoverFiles++;
    } else if (name === FALLBACK_NOTICE_MARKER) {
      await remove(name);
      report.noticeMarker = true;
    } else if (CLIENT_AUTH_MEMORY.test(name)) {
      // The remembered client authentication methods (cache/client-auth-memory.ts): no secret, but state.
      await remove(name);
    }
  }

  printReport(logger, report);
  if (failure && report.keptEntryFiles > 0) {
    throw new KubeLoginError('keychain', `remove ${plural(report.keptEntryFiles, 'cache entry', 'cache entries')} from the OS keychain`, failure.reason, {
      ...(failure.fix ? { fix: failure.fix } : {}),
      cause: failure,
    });
  }
  if (failure) logger.debug(`the OS keychain was not searched for leftovers: ${failure.reason}`);
  return report;
}

/** One stderr line of what was removed, and one per thing left in place. */
function printReport(logger: Logger, report: CleanReport): void {
  const parts: string[] = [];
  if (report.entryFiles > 0) parts.push(plural(report.entryFiles, 'entry file'));
  if (report.keychainItems > 0) parts.push(plural(report.keychainItems, 'keychain item'));
  if (report.lockFiles > 0) parts.push(plural(report.lockFiles, 'lock file'));
  if (report.leftoverFiles > 0) parts.push(plural(report.leftoverFiles, 'leftover temporary file'));
  if (report.noticeMarker) parts.push('the keychain notice marker');
  if (report.pendingLogins > 0) parts.push(`${plural(report.pendingLogins, 'pending login')} (cancelled)`);
  if (parts.length === 0) logger.info(`kube-login: nothing to remove in ${report.dir}`);
  else logger.info(`kube-login: removed from ${report.dir}: ${parts.join(', ')}`);
  if (report.locksInUse.length > 0) {
    logger.info(`kube-login: kept ${plural(report.locksInUse.length, 'lock')} held by a running kube-login (${report.locksInUse.join(', ')}); run clean again when it has finished`);
  }
  if (report.otherDirItems > 0) logger.debug(`kept ${plural(report.otherDirItems, 'keychain item')} of other cache directories`);
}
