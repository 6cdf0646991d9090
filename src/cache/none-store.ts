// The store for `--token-cache-storage none`: every call logs in or refreshes nothing from disk.
import type { CacheEntrySummary, TokenStore } from './token-store.js';
import type { CachedTokens } from './token-set.js';

/** The store for `--token-cache-storage none`: nothing is kept. */
export class NoneTokenStore implements TokenStore {
  readonly kind = 'none' as const;
  async read(): Promise<CachedTokens | undefined> {
    return undefined;
  }
  async write(): Promise<void> {}
  async remove(): Promise<boolean> {
    return false;
  }
  async list(): Promise<CacheEntrySummary[]> {
    return [];
  }
}
