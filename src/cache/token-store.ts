// The token cache port: one interface, with disk, keychain and none implementations.
import type { CacheKey, CacheKeyInput } from './key.js';
import type { CachedTokens, TokenTimes } from './token-set.js';

/** Where tokens are kept; `auto` is resolved to `keyring` or `disk` by the composition root. */
export type StorageKind = 'disk' | 'keyring' | 'none';

/** What `status --all` and `clean` need to know about an entry, without its secrets. */
export interface CacheEntrySummary {
  id: string;
  key: CacheKeyInput;
  /** Where the secrets of a kept entry are: never `none`. */
  storage: Exclude<StorageKind, 'none'>;
  times: TokenTimes;
  hasRefreshToken: boolean;
  updatedAt: string;
}

/** The token cache repository. A corrupt entry is reported through the logger and read as a miss. */
export interface TokenStore {
  readonly kind: StorageKind;
  read(key: CacheKey): Promise<CachedTokens | undefined>;
  write(key: CacheKey, tokens: CachedTokens): Promise<void>;
  /** Removes the entry (metadata and secrets); true when something was removed. */
  remove(id: string): Promise<boolean>;
  list(): Promise<CacheEntrySummary[]>;
}

/** A held lock on one cache key. */
export interface LockHandle {
  release(): Promise<void>;
  /** Tells processes waiting for this lock what the holder is doing (shown on their stderr). */
  setPurpose?(purpose: string): Promise<void>;
}

/** The per-key lock port: serializes hit/refresh/login decisions across processes. */
export interface CacheLock {
  /** Waits for the lock of `id`, telling the user on stderr what it waits for; throws 'lock-timeout'. */
  acquire(id: string): Promise<LockHandle>;
}
