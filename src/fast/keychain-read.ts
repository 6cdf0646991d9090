// The keychain read of the cache-hit fast path, bundled into dist/fast-hit.cjs. It loads
// @napi-rs/keyring with a plain CommonJS `require` (about 45 ms cold, against about 110 ms for an ESM
// import), and only once the entry file has said the token is fresh. Any failure returns undefined:
// the full CLI then runs, and reports keychain problems properly.
import type { EntryFile } from '../cache/entry-file.js';
import { KEYCHAIN_ENTRY_OPTIONS, KEYCHAIN_SERVICE, accountsOf, joinSecrets } from '../cache/keychain-chunks.js';
import type { TokenSecrets } from '../cache/token-set.js';

/** The part of @napi-rs/keyring this reader uses. */
interface KeyringModule {
  Entry: new (service: string, account: string, options: typeof KEYCHAIN_ENTRY_OPTIONS) => { getPassword(): string | null };
}

/**
 * The secrets of a keyring entry, read from the OS keychain; undefined on any failure or absence.
 * Only for the CommonJS bundle: in an ES module `require` is not defined, and this returns undefined.
 */
export function readKeychainSecrets(id: string, entry: EntryFile): TokenSecrets | undefined {
  if (entry.storage !== 'keyring' || entry.keychain === undefined) return undefined;
  try {
    // A bare `require` call: esbuild keeps it as is for an external package in a CommonJS bundle.
    const keyring = require('@napi-rs/keyring') as KeyringModule;
    const parts: string[] = [];
    for (const account of accountsOf(id, entry.keychain)) {
      const part = new keyring.Entry(KEYCHAIN_SERVICE, account, KEYCHAIN_ENTRY_OPTIONS).getPassword();
      if (part === null) return undefined;
      parts.push(part);
    }
    return joinSecrets(parts);
  } catch {
    return undefined;
  }
}
