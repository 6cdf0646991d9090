// The on-disk entry format: what the file store writes, the fast path reads back exactly, and
// anything else on disk is a reason string (a miss), never an exception.
import { describe, expect, it } from 'vitest';
import { ENTRY_VERSION, entryFileName, parseEntryFile, toEntryFile } from '../../../src/cache/entry-file.js';
import type { CacheKeyInput } from '../../../src/cache/key.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';

const key: CacheKeyInput = { issuer: 'https://idp.example.com', clientId: 'kubernetes', scopes: ['email'], extraParams: { prompt: 'login' } };
const tokens: CachedTokens = {
  idToken: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.id-token-secret',
  refreshToken: 'refresh-token-secret-value',
  accessToken: 'access-token-secret-value',
  idTokenIssuedAt: 1_900_000_000,
  idTokenExpiresAt: 1_900_003_600,
  accessTokenIssuedAt: 1_900_000_000,
  accessTokenExpiresAt: 1_900_000_300,
};
const now = new Date('2030-03-17T12:00:00.000Z');

/** A valid disk entry as plain JSON, to be broken in one place by each case below. */
const validDisk = (): Record<string, unknown> => JSON.parse(JSON.stringify(toEntryFile(key, tokens, 'disk', now))) as Record<string, unknown>;

describe('toEntryFile / parseEntryFile round trip', () => {
  it('gives back the tokens, their times and the key for disk storage', () => {
    const entry = toEntryFile(key, tokens, 'disk', now);
    const parsed = parseEntryFile(JSON.stringify(entry));
    if (typeof parsed === 'string') throw new Error(`unexpected reason: ${parsed}`);
    expect(parsed.key).toEqual(key);
    expect(parsed.storage).toBe('disk');
    expect({ ...parsed.secrets, ...parsed.times }).toEqual(tokens);
    expect(parsed.hasRefreshToken).toBe(true);
    expect(parsed.updatedAt).toBe('2030-03-17T12:00:00.000Z');
    expect(parsed.version).toBe(ENTRY_VERSION);
  });

  it('round-trips a token set without refresh or access token', () => {
    const minimal: CachedTokens = { idToken: tokens.idToken, idTokenIssuedAt: 1_900_000_000, idTokenExpiresAt: 1_900_003_600 };
    const parsed = parseEntryFile(JSON.stringify(toEntryFile(key, minimal, 'disk', now)));
    if (typeof parsed === 'string') throw new Error(`unexpected reason: ${parsed}`);
    expect({ ...parsed.secrets, ...parsed.times }).toEqual(minimal);
    expect(parsed.hasRefreshToken).toBe(false);
  });

  it('survives the pretty-printed form the file store writes', () => {
    const parsed = parseEntryFile(JSON.stringify(toEntryFile(key, tokens, 'disk', now), null, 2) + '\n');
    expect(typeof parsed).not.toBe('string');
  });

  it('names the file after the key id', () => {
    expect(entryFileName('ab'.repeat(32))).toBe(`${'ab'.repeat(32)}.json`);
  });
});

describe('keyring entries', () => {
  it('carry no secret, only the times and whether a refresh token exists', () => {
    const entry = toEntryFile(key, tokens, 'keyring', now);
    const text = JSON.stringify(entry);
    expect(text).not.toContain(tokens.idToken);
    expect(text).not.toContain(tokens.refreshToken);
    expect(text).not.toContain(tokens.accessToken);
    expect(entry.secrets).toBeUndefined();
    expect(entry.hasRefreshToken).toBe(true);
    expect(entry.times.idTokenExpiresAt).toBe(tokens.idTokenExpiresAt);
  });

  it('parse without secrets', () => {
    const parsed = parseEntryFile(JSON.stringify({ ...toEntryFile(key, tokens, 'keyring', now), keychain: { generation: 'a1b2c3d4', chunks: 1 } }));
    if (typeof parsed === 'string') throw new Error(`unexpected reason: ${parsed}`);
    expect(parsed.storage).toBe('keyring');
    expect(parsed.secrets).toBeUndefined();
  });
});

describe('parseEntryFile on malformed input: a reason, never a throw', () => {
  const mutate = (change: (entry: Record<string, unknown>) => void): string => {
    const entry = validDisk();
    change(entry);
    return JSON.stringify(entry);
  };
  const full = JSON.stringify(toEntryFile(key, tokens, 'disk', now), null, 2);

  it.each<[string, string, RegExp]>([
    ['an empty file', '', /JSON/],
    ['text that is not JSON', 'this is not json', /JSON/],
    ['a file cut off in the middle (a crash during a non-atomic write)', full.slice(0, Math.floor(full.length / 2)), /JSON/],
    ['JSON null', 'null', /object/],
    ['a JSON number', '42', /object/],
    ['a JSON string', '"text"', /object/],
    ['a JSON array', '[]', /./],
    ['a newer format version', mutate((e) => (e['version'] = 2)), /version 2/],
    ['no version', mutate((e) => delete e['version']), /version/],
    ['the version as a string', mutate((e) => (e['version'] = '1')), /version/],
    ['an unknown storage', mutate((e) => (e['storage'] = 'cloud')), /storage/],
    ['no storage', mutate((e) => delete e['storage']), /storage/],
    ['no times', mutate((e) => delete e['times']), /expiry|time/],
    ['times null', mutate((e) => (e['times'] = null)), /expiry|time/],
    ['no ID token expiry', mutate((e) => delete (e['times'] as Record<string, unknown>)['idTokenExpiresAt']), /expiry|time/],
    ['no ID token issue time', mutate((e) => delete (e['times'] as Record<string, unknown>)['idTokenIssuedAt']), /expiry|time/],
    ['an expiry given as a string', mutate((e) => ((e['times'] as Record<string, unknown>)['idTokenExpiresAt'] = '1900003600')), /expiry|time/],
    ['an access token expiry that is not a number', mutate((e) => ((e['times'] as Record<string, unknown>)['accessTokenExpiresAt'] = true)), /expiry|time/],
    ['no key', mutate((e) => delete e['key']), /key/],
    ['an issuer that is a number', mutate((e) => ((e['key'] as Record<string, unknown>)['issuer'] = 5)), /key/],
    ['an empty client id', mutate((e) => ((e['key'] as Record<string, unknown>)['clientId'] = '')), /key/],
    ['disk storage without secrets', mutate((e) => delete e['secrets']), /token/],
    ['an empty ID token', mutate((e) => ((e['secrets'] as Record<string, unknown>)['idToken'] = '')), /token/],
    ['a refresh token that is a number', mutate((e) => ((e['secrets'] as Record<string, unknown>)['refreshToken'] = 5)), /token/],
    ['secrets as an array', mutate((e) => (e['secrets'] = ['a'])), /token/],
    ['a keychain reference with a bad generation', mutate((e) => (e['keychain'] = { generation: '../../etc', chunks: 1 })), /keychain/],
    ['a keychain reference with zero chunks', mutate((e) => (e['keychain'] = { generation: 'a1b2c3d4', chunks: 0 })), /keychain/],
    ['a keychain reference with fractional chunks', mutate((e) => (e['keychain'] = { generation: 'a1b2c3d4', chunks: 1.5 })), /keychain/],
  ])('%s', (_name, text, reason) => {
    let result: ReturnType<typeof parseEntryFile> | undefined;
    expect(() => (result = parseEntryFile(text))).not.toThrow();
    expect(typeof result).toBe('string');
    expect(result as string).toMatch(reason);
  });

  it('a version value that cannot be turned into a string (valid JSON) still gives a reason', () => {
    // `{"toString":1}` is plain JSON, but String() on it throws a TypeError.
    const text = mutate((e) => (e['version'] = { toString: 1 }));
    let result: ReturnType<typeof parseEntryFile> | undefined;
    expect(() => (result = parseEntryFile(text))).not.toThrow();
    expect(typeof result).toBe('string');
  });
});
