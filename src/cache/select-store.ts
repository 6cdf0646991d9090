// Resolves --token-cache-storage to a TokenStore: `auto` uses the OS keychain when a round trip
// through it works and falls back to the disk store otherwise, telling the user once per directory.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, isKubeLoginError } from '../errors.js';
import type { Logger } from '../platform/logger.js';
import { FileTokenStore, ensureCacheDir } from './file-store.js';
import { explainKeychainFailure } from './keychain-errors.js';
import { type Keychain, KeychainTokenStore } from './keychain-store.js';
import { NoneTokenStore } from './none-store.js';
import { checkCacheDirSync } from './private-file-checks.js';
import type { StorageKind, TokenStore } from './token-store.js';

/** The values of --token-cache-storage. */
export type StorageChoice = 'auto' | StorageKind;

/** The marker file that remembers, per cache directory, that the fallback notice was shown. */
export const FALLBACK_NOTICE_MARKER = 'keychain-fallback.notice';

/** What selectTokenStore needs. */
export interface SelectStoreOptions {
  storage: StorageChoice;
  dir: string;
  logger: Logger;
  /** The keychain to use; the OS keychain when absent (tests inject failures here). */
  keychain?: () => Keychain;
  now?: () => Date;
}

/**
 * The store for a --token-cache-storage choice. `keyring` probes the keychain first and throws
 * KubeLoginError('keychain') when it does not work, before any login whose result could not be kept.
 */
export async function selectTokenStore(options: SelectStoreOptions): Promise<TokenStore> {
  const { storage, dir, logger } = options;
  if (storage === 'none') return new NoneTokenStore();
  if (storage === 'disk') return new FileTokenStore(dir, logger, options.now);
  const keychainStore = new KeychainTokenStore(dir, logger, {
    ...(options.keychain ? { keychain: options.keychain } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  if (storage === 'keyring') {
    keychainStore.probe();
    return keychainStore;
  }
  try {
    keychainStore.probe();
    logger.debug('the OS keychain works: tokens are kept there');
    return keychainStore;
  } catch (error) {
    const full = isKubeLoginError(error) ? error.reason : describe(error);
    logger.debug(`the OS keychain does not work here: ${full}`);
    // The notice gives the reason in our words; -v shows the keychain's own message above.
    const cause = isKubeLoginError(error) ? error.cause : error;
    await noticeOnce(dir, logger, cause === undefined ? full : explainKeychainFailure(cause).reason);
    return new FileTokenStore(dir, logger, options.now);
  }
}

/**
 * Prints the fallback notice unless the marker says it was printed for this directory. The marker is
 * created with O_EXCL, so that of many parallel kubectl calls exactly one prints it.
 */
async function noticeOnce(dir: string, logger: Logger, reason: string): Promise<void> {
  try {
    await ensureCacheDir(dir);
    // Never into a folder others can write to: the read that follows reports it (private-file-checks.ts).
    if (checkCacheDirSync(dir)) return;
    const marker = await open(join(dir, FALLBACK_NOTICE_MARKER), 'wx', 0o600);
    await marker.writeFile(JSON.stringify({ shownAt: new Date().toISOString(), reason }) + '\n');
    await marker.close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') logger.debug(`could not write the notice marker in ${dir}: ${describe(error)}`);
    return;
  }
  logger.info(
    `kube-login: tokens are kept in a file in ${dir} (mode 0600), not in the OS keychain, because ${reason}; ` +
      'pass --token-cache-storage disk to choose this and silence this notice, which is shown once per cache directory',
  );
}
