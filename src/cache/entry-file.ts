// The on-disk entry format `<cache-dir>/<key-id>.json`, shared by the file store and the fast path.
import type { CacheKeyInput } from './key.js';
import type { CachedTokens, TokenSecrets, TokenTimes } from './token-set.js';

/** The current entry format version; other versions are read as a miss. */
export const ENTRY_VERSION = 1;

/** One cache entry as stored. `secrets` is present only when storage is `disk`. */
export interface EntryFile {
  version: typeof ENTRY_VERSION;
  key: CacheKeyInput;
  storage: 'disk' | 'keyring';
  times: TokenTimes;
  hasRefreshToken: boolean;
  updatedAt: string;
  secrets?: TokenSecrets;
  /** Storage `keyring` only: which keychain items hold the secrets (see keychain-chunks.ts). */
  keychain?: KeychainRef;
}

/** Names the keychain items of an entry: `<id>.<generation>`, `<id>.<generation>#1`, … up to `chunks`. */
export interface KeychainRef {
  generation: string;
  chunks: number;
}

/** The entry's file name inside the cache directory. */
export function entryFileName(id: string): string {
  return `${id}.json`;
}

/** Builds the stored form of a token set; secrets are included only for disk storage. */
export function toEntryFile(key: CacheKeyInput, tokens: CachedTokens, storage: EntryFile['storage'], now: Date): EntryFile {
  const { idToken, refreshToken, accessToken, ...times } = tokens;
  const entry: EntryFile = {
    version: ENTRY_VERSION,
    key,
    storage,
    times,
    hasRefreshToken: refreshToken !== undefined,
    updatedAt: now.toISOString(),
  };
  if (storage === 'disk') {
    entry.secrets = { ...(idToken ? { idToken } : {}), ...(refreshToken ? { refreshToken } : {}), ...(accessToken ? { accessToken } : {}) };
  }
  return entry;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;
const isOptional = <T>(value: unknown, check: (v: unknown) => v is T): boolean => value === undefined || check(value);

/** Parses an entry file's text; returns a reason string instead of throwing when it is unusable. */
export function parseEntryFile(text: string): EntryFile | string {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return 'it is not valid JSON';
  }
  if (typeof data !== 'object' || data === null) return 'it is not a JSON object';
  const entry = data as Record<string, unknown>;
  if (entry['version'] !== ENTRY_VERSION) return `it has format version ${JSON.stringify(entry['version']) ?? 'undefined'}, expected ${ENTRY_VERSION}`;
  if (entry['storage'] !== 'disk' && entry['storage'] !== 'keyring') return 'its storage field is missing or unknown';
  const times = entry['times'] as Record<string, unknown> | undefined;
  // The ID token times come as a pair; without them (client credentials) the access token's expiry must be there.
  if (
    typeof times !== 'object' ||
    times === null ||
    !isOptional(times['idTokenExpiresAt'], isNumber) ||
    (times['idTokenExpiresAt'] === undefined) !== (times['idTokenIssuedAt'] === undefined) ||
    !isOptional(times['idTokenIssuedAt'], isNumber) ||
    !isOptional(times['accessTokenExpiresAt'], isNumber) ||
    !isOptional(times['accessTokenIssuedAt'], isNumber) ||
    (times['idTokenExpiresAt'] === undefined && times['accessTokenExpiresAt'] === undefined)
  ) {
    return 'its expiry times are missing or malformed';
  }
  const key = entry['key'] as Record<string, unknown> | undefined;
  if (typeof key !== 'object' || key === null || !isString(key['issuer']) || !isString(key['clientId'])) {
    return 'its key is missing or malformed';
  }
  const keychain = entry['keychain'] as Record<string, unknown> | undefined;
  if (
    keychain !== undefined &&
    (typeof keychain !== 'object' ||
      keychain === null ||
      typeof keychain['generation'] !== 'string' ||
      !/^[0-9a-f-]{4,64}$/.test(keychain['generation']) ||
      !Number.isInteger(keychain['chunks']) ||
      (keychain['chunks'] as number) < 1 ||
      (keychain['chunks'] as number) > 64)
  ) {
    return 'its keychain reference is malformed';
  }
  if (entry['storage'] === 'disk') {
    const secrets = entry['secrets'] as Record<string, unknown> | undefined;
    if (
      typeof secrets !== 'object' ||
      secrets === null ||
      !isOptional(secrets['idToken'], isString) ||
      !isOptional(secrets['refreshToken'], isString) ||
      !isOptional(secrets['accessToken'], isString) ||
      // The bearer token the times describe must be there: the ID token, or else the access token.
      (times['idTokenExpiresAt'] === undefined ? !isString(secrets['accessToken']) : !isString(secrets['idToken']))
    ) {
      return 'its tokens are missing or malformed';
    }
  }
  return entry as unknown as EntryFile;
}
