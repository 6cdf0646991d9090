// The keychain token store: secrets in the OS keychain (service `kube-login`), the non-secret entry
// file (key, expiry, which items) on disk, so that a cache hit decides without the native module.
// This is the only file of the full CLI that loads @napi-rs/keyring (src/fast/keychain-read.ts is
// the fast path's reader). @napi-rs/keyring, not keytar: keytar is archived (2022) and installs
// only by downloading a binary from GitHub or compiling against libsecret (docs/keychain.md).
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { KubeLoginError } from '../errors.js';
import type { Logger } from '../platform/logger.js';
import { type EntryFile, type KeychainRef, entryFileName, toEntryFile } from './entry-file.js';
import { listEntryFiles, readEntryFile, removeEntryFile, summarize, writeEntryFile } from './file-store.js';
import type { CacheKey } from './key.js';
import {
  KEYCHAIN_ENTRY_OPTIONS,
  KEYCHAIN_SERVICE,
  MAX_CHUNKS,
  MAX_PAYLOAD_CHARS,
  accountsOf,
  chunkAccount,
  itemCharsFor,
  joinSecrets,
  parseAccount,
  splitSecrets,
} from './keychain-chunks.js';
import { isVanishedItem, keychainError } from './keychain-errors.js';
import type { CacheEntrySummary, TokenStore } from './token-store.js';
import type { CachedTokens, TokenSecrets } from './token-set.js';

type NativeKeyring = typeof import('@napi-rs/keyring');

/** The keychain port: the items of the `kube-login` service. Every method may throw (raw errors). */
export interface Keychain {
  /** The secret of an account, undefined when there is none. */
  get(account: string): string | undefined;
  set(account: string, secret: string): void;
  /** True when an item existed and was deleted. */
  delete(account: string): boolean;
  /** Every account of the `kube-login` service. */
  accounts(): string[];
}

/**
 * Loads @napi-rs/keyring. Under Node (an ES module, no `require`) through createRequire; in the
 * compiled executable through Bun's `require`, whose static call is what embeds the addon for the
 * executable's platform (createRequire there resolves against the executable's virtual folder, and
 * finds nothing).
 */
function requireNativeKeyring(): NativeKeyring {
  if (typeof require === 'function') return require('@napi-rs/keyring') as NativeKeyring;
  return createRequire(import.meta.url)('@napi-rs/keyring') as NativeKeyring;
}

/**
 * The OS keychain through @napi-rs/keyring, loaded with require: an ESM `import` of it costs about
 * 70 ms more at start-up (docs/benchmarks.md). Throws KubeLoginError('keychain') when it cannot load.
 */
export function loadNativeKeychain(): Keychain {
  let native: NativeKeyring;
  try {
    native = requireNativeKeyring();
  } catch (error) {
    throw keychainError('load the OS keychain module', error);
  }
  // On Linux every Entry opens its own D-Bus connection and keeps it until it is garbage-collected,
  // so one Entry per account is reused: a probe (set, get, delete) then costs one connection, not 3.
  const entries = new Map<string, InstanceType<NativeKeyring['Entry']>>();
  const entry = (account: string) => {
    let found = entries.get(account);
    if (!found) {
      found = new native.Entry(KEYCHAIN_SERVICE, account, KEYCHAIN_ENTRY_OPTIONS);
      entries.set(account, found);
    }
    return found;
  };
  return {
    get: (account) => {
      try {
        return entry(account).getPassword() ?? undefined;
      } catch (error) {
        if (isVanishedItem(error)) return undefined;
        throw error;
      }
    },
    set: (account, secret) => entry(account).setPassword(secret),
    delete: (account) => {
      try {
        return entry(account).deleteCredential();
      } catch (error) {
        if (isVanishedItem(error)) return false;
        throw error;
      }
    },
    accounts: () => native.findCredentials(KEYCHAIN_SERVICE).map((credential) => credential.account),
  };
}

/**
 * A short tag of the cache directory, part of every generation it writes. The keychain is shared by
 * all cache directories of the user, so `clean` of one directory removes only its own orphans.
 */
export function cacheDirTag(dir: string): string {
  return createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 8);
}

/** A new generation name for the items of one write: `<dir tag>-<random>`. */
export function newGeneration(dir: string): string {
  return `${cacheDirTag(dir)}-${randomBytes(6).toString('hex')}`;
}

/** Options of the keychain store; tests pass a keychain, the CLI none. */
export interface KeychainStoreOptions {
  /** Builds the keychain on first use; the OS keychain when absent. */
  keychain?: () => Keychain;
  now?: () => Date;
  /** Characters per item (tests only; the default is the platform's, itemCharsFor). */
  chunkChars?: number;
}

/** The keyring store. Keychain failures throw KubeLoginError('keychain'); a corrupt entry is a miss. */
export class KeychainTokenStore implements TokenStore {
  readonly kind = 'keyring' as const;
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #factory: () => Keychain;
  readonly #now: () => Date;
  readonly #chunkChars: number;
  #keychain: Keychain | undefined;

  constructor(dir: string, logger: Logger, options: KeychainStoreOptions = {}) {
    this.#dir = dir;
    this.#logger = logger;
    this.#factory = options.keychain ?? loadNativeKeychain;
    this.#now = options.now ?? (() => new Date());
    this.#chunkChars = options.chunkChars ?? itemCharsFor();
  }

  /** The keychain, loaded on first use. */
  keychain(): Keychain {
    this.#keychain ??= this.#factory();
    return this.#keychain;
  }

  /** A write, read and delete of a throw-away item: proves the keychain works here. Throws KubeLoginError('keychain'). */
  probe(): void {
    const account = `probe.${cacheDirTag(this.#dir)}-${process.pid.toString(16)}${randomBytes(4).toString('hex')}`;
    const value = randomBytes(8).toString('hex');
    const keychain = this.keychain();
    try {
      keychain.set(account, value);
      const back = keychain.get(account);
      keychain.delete(account);
      if (back !== value) throw new Error('an item written to the keychain read back differently');
    } catch (error) {
      throw keychainError('use the OS keychain', error);
    }
  }

  async read(key: CacheKey): Promise<CachedTokens | undefined> {
    const path = join(this.#dir, entryFileName(key.id));
    let previous: string | undefined;
    // A concurrent write replaces the generation and then deletes the old items: if ours vanished,
    // read the entry file again and follow it (at most a few times).
    for (let attempt = 0; attempt < 3; attempt++) {
      const entry = await readEntryFile(this.#dir, key.id, this.#logger);
      if (!entry) return undefined;
      if (entry.storage === 'disk') {
        // Written as a file (for example by `auto` without a keychain); the next write moves it here.
        this.#logger.debug(`the cache entry ${key.id} is a file entry; it moves to the keychain at the next write`);
        return entry.secrets ? this.#remember({ ...entry.secrets, ...entry.times }) : undefined;
      }
      const ref = entry.keychain;
      if (!ref) {
        this.#logger.warn(`ignoring the token cache ${path}: it names no keychain item; it will be replaced after the next login`);
        return undefined;
      }
      if (ref.generation === previous) break;
      previous = ref.generation;
      const parts = this.#readItems(key.id, ref);
      if (!parts) continue;
      const secrets = joinSecrets(parts);
      if (!secrets) {
        this.#logger.warn(`ignoring the keychain items of ${path}: they do not hold a valid token set; logging in again`);
        return undefined;
      }
      return this.#remember({ ...secrets, ...entry.times });
    }
    this.#logger.warn(`the keychain items of the token cache ${path} are missing (removed outside kube-login?); logging in again`);
    return undefined;
  }

  async write(key: CacheKey, tokens: CachedTokens): Promise<void> {
    this.#remember(tokens);
    const parts = splitSecrets(tokens, this.#chunkChars);
    const payloadChars = parts.reduce((total, part) => total + part.length, 0);
    if (parts.length > MAX_CHUNKS || payloadChars > MAX_PAYLOAD_CHARS) {
      throw new KubeLoginError(
        'keychain',
        'save the token in the OS keychain',
        `the token set is ${payloadChars} characters, more than the ${Math.min(MAX_PAYLOAD_CHARS, MAX_CHUNKS * this.#chunkChars)} kube-login keeps in the keychain`,
        { fix: 'pass --token-cache-storage disk to keep it in a 0600 file instead' },
      );
    }
    const old = await readEntryFile(this.#dir, key.id, this.#logger);
    const ref: KeychainRef = { generation: newGeneration(this.#dir), chunks: parts.length };
    const keychain = this.keychain();
    // Order: new items, then the entry file naming them, then the old items. A reader that follows
    // the entry file sees the old generation complete or the new one complete, never a mix.
    const written: string[] = [];
    try {
      parts.forEach((part, index) => {
        const account = chunkAccount(key.id, ref.generation, index);
        keychain.set(account, part);
        written.push(account);
      });
    } catch (error) {
      this.#deleteQuietly(written);
      throw keychainError('save the token in the OS keychain', error);
    }
    const entry: EntryFile = { ...toEntryFile(key.input, tokens, 'keyring', this.#now()), keychain: ref };
    try {
      await writeEntryFile(this.#dir, key.id, entry);
    } catch (error) {
      this.#deleteQuietly(written);
      throw error;
    }
    if (old?.storage === 'keyring' && old.keychain && old.keychain.generation !== ref.generation) {
      this.#deleteQuietly(accountsOf(key.id, old.keychain));
    }
  }

  async remove(id: string): Promise<boolean> {
    const entry = await readEntryFile(this.#dir, id, this.#logger);
    let removed = false;
    if (entry?.storage === 'keyring' && entry.keychain) {
      try {
        for (const account of accountsOf(id, entry.keychain)) removed = this.keychain().delete(account) || removed;
      } catch (error) {
        // Keep the entry file: it is how a later `remove` or `clean` finds the items.
        throw keychainError('remove the token from the OS keychain', error);
      }
    }
    removed = (await removeEntryFile(this.#dir, id)) || removed;
    // Items of this entry left by an interrupted write (best effort: searching may be unsupported).
    const tag = cacheDirTag(this.#dir);
    try {
      for (const account of this.keychain().accounts()) {
        const parsed = parseAccount(account);
        if (parsed?.id === id && parsed.generation.startsWith(`${tag}-`)) removed = this.keychain().delete(account) || removed;
      }
    } catch (error) {
      this.#logger.debug(`could not search the keychain for leftover items: ${String(error)}`);
    }
    return removed;
  }

  async list(): Promise<CacheEntrySummary[]> {
    return (await listEntryFiles(this.#dir, this.#logger)).map(({ id, entry }) => summarize(id, entry));
  }

  /** The items of one generation in order; undefined when one is missing. Throws KubeLoginError('keychain'). */
  #readItems(id: string, ref: KeychainRef): string[] | undefined {
    const parts: string[] = [];
    try {
      for (const account of accountsOf(id, ref)) {
        const part = this.keychain().get(account);
        if (part === undefined) return undefined;
        parts.push(part);
      }
    } catch (error) {
      throw keychainError('read the token from the OS keychain', error);
    }
    return parts;
  }

  #deleteQuietly(accounts: readonly string[]): void {
    for (const account of accounts) {
      try {
        this.keychain().delete(account);
      } catch (error) {
        this.#logger.debug(`could not delete the keychain item ${account}: ${String(error)}; \`kube-login clean\` removes it`);
      }
    }
  }

  /** Registers the secrets with the redactor, so that no log line can print them. */
  #remember<T extends TokenSecrets>(tokens: T): T {
    this.#logger.redactor.add(tokens.idToken);
    this.#logger.redactor.add(tokens.refreshToken);
    this.#logger.redactor.add(tokens.accessToken);
    return tokens;
  }
}
