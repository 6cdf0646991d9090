// Names and contents of the keychain items of one cache entry, shared by the keychain store and the
// cache-hit fast path (which bundles this file, so it imports nothing but types).
import type { KeychainRef } from './entry-file.js';
import type { TokenSecrets } from './token-set.js';

/** The keychain service of every kube-login item. */
export const KEYCHAIN_SERVICE = 'kube-login';

/**
 * Entry options for @napi-rs/keyring: on Linux pin the Secret Service. Unpinned, the library falls
 * back to the kernel keyring, which throws AccessDenied in containers and CI (no session keyring),
 * leaves orphan keys behind, and forgets everything at reboot (docs/keychain.md). Ignored elsewhere.
 */
export const KEYCHAIN_ENTRY_OPTIONS = { linux: { store: 'secret-service' } } as const;

/**
 * Characters per keychain item on Windows. Windows Credential Manager caps a blob at 2560 bytes
 * (CRED_MAX_CREDENTIAL_BLOB_SIZE) and keyring-rs stores passwords there as UTF-16, so 1280
 * characters at most; 1200 leaves room.
 */
export const CHUNK_CHARS = 1200;

/** The most items one entry may use (about 76 KB of tokens); more is refused as too large. */
export const MAX_CHUNKS = 64;

/** The largest token set kept in the keychain, in characters of payload, on every platform. */
export const MAX_PAYLOAD_CHARS = CHUNK_CHARS * MAX_CHUNKS;

/**
 * Characters per item on a platform. Only Windows caps an item: there the set is cut into
 * CHUNK_CHARS items. Elsewhere (Secret Service, macOS Keychain) one item holds the whole set, so a
 * cache hit builds one Entry, and each Entry costs 5.5–6.2 ms on Linux (its own D-Bus connection and
 * Secret Service session; docs/benchmarks.md). Entries written with more items (earlier versions cut
 * every set into CHUNK_CHARS items) are read as they are and rewritten in one item at the next write.
 */
export function itemCharsFor(platform: NodeJS.Platform = process.platform): number {
  return platform === 'win32' ? CHUNK_CHARS : MAX_PAYLOAD_CHARS;
}

/** The keychain account of chunk `index` of a generation: `<id>.<generation>`, then `<id>.<generation>#1`, … */
export function chunkAccount(id: string, generation: string, index: number): string {
  return index === 0 ? `${id}.${generation}` : `${id}.${generation}#${index}`;
}

/** The parts of a kube-login keychain account, or undefined for a name kube-login does not write. */
export interface ParsedAccount {
  /** The cache key id, or `probe` for the round trip of `--token-cache-storage auto`. */
  id: string;
  generation: string;
  index: number;
}

/** Parses an account written by chunkAccount or by the keychain probe. */
export function parseAccount(account: string): ParsedAccount | undefined {
  const match = /^([0-9a-f]{64}|probe)\.([0-9a-f-]{4,64})(?:#([1-9][0-9]{0,3}))?$/.exec(account);
  if (!match?.[1] || !match[2]) return undefined;
  return { id: match[1], generation: match[2], index: match[3] === undefined ? 0 : Number(match[3]) };
}

/** True for a generation as KeychainRef keeps it. */
export function isGeneration(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f-]{4,64}$/.test(value);
}

/** The keychain payload of a token set, cut into items of at most `size` characters. */
export function splitSecrets(secrets: TokenSecrets, size: number = CHUNK_CHARS): string[] {
  const payload = JSON.stringify({
    ...(secrets.idToken ? { idToken: secrets.idToken } : {}),
    ...(secrets.refreshToken ? { refreshToken: secrets.refreshToken } : {}),
    ...(secrets.accessToken ? { accessToken: secrets.accessToken } : {}),
  });
  const parts: string[] = [];
  for (let at = 0; at < payload.length; at += size) parts.push(payload.slice(at, at + size));
  return parts;
}

/** Joins the items read back; undefined when they do not make a valid token set. */
export function joinSecrets(parts: readonly string[]): TokenSecrets | undefined {
  let data: unknown;
  try {
    data = JSON.parse(parts.join(''));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { idToken, refreshToken, accessToken } = data as Record<string, unknown>;
  if (idToken !== undefined && (typeof idToken !== 'string' || idToken === '')) return undefined;
  if (refreshToken !== undefined && typeof refreshToken !== 'string') return undefined;
  if (accessToken !== undefined && typeof accessToken !== 'string') return undefined;
  // A set without an ID token (client credentials) holds at least its access token.
  if (idToken === undefined && !accessToken) return undefined;
  return {
    ...(idToken ? { idToken } : {}),
    ...(refreshToken ? { refreshToken } : {}),
    ...(accessToken ? { accessToken } : {}),
  };
}

/** Every account of one entry generation. */
export function accountsOf(id: string, ref: KeychainRef): string[] {
  return Array.from({ length: ref.chunks }, (_, index) => chunkAccount(id, ref.generation, index));
}
