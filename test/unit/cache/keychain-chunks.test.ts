// Naming and splitting of keychain items: the part the store and the fast-path reader share.
import { describe, expect, it } from 'vitest';
import {
  CHUNK_CHARS,
  accountsOf,
  chunkAccount,
  joinSecrets,
  parseAccount,
  splitSecrets,
} from '../../../src/cache/keychain-chunks.js';

const ID = 'a'.repeat(64);

describe('keychain accounts', () => {
  it('names chunk 0 `<id>.<generation>` and the next ones `#1`, `#2`', () => {
    expect(chunkAccount(ID, '0badcafe-0123456789ab', 0)).toBe(`${ID}.0badcafe-0123456789ab`);
    expect(chunkAccount(ID, '0badcafe-0123456789ab', 2)).toBe(`${ID}.0badcafe-0123456789ab#2`);
    expect(accountsOf(ID, { generation: 'abcd-ef', chunks: 3 })).toEqual([`${ID}.abcd-ef`, `${ID}.abcd-ef#1`, `${ID}.abcd-ef#2`]);
  });

  it('parses what it writes, probes included, and nothing else', () => {
    expect(parseAccount(chunkAccount(ID, 'abcd1234-ff', 7))).toEqual({ id: ID, generation: 'abcd1234-ff', index: 7 });
    expect(parseAccount('probe.abcd1234-1f2e')).toEqual({ id: 'probe', generation: 'abcd1234-1f2e', index: 0 });
    for (const foreign of ['', ID, `${ID}.`, `${ID}.XYZ`, `${ID}.abcd#0`, 'someone-else', `${ID.slice(1)}.abcd`]) {
      expect(parseAccount(foreign), foreign).toBeUndefined();
    }
  });
});

describe('keychain payload', () => {
  it('keeps every item within the Windows Credential Manager blob limit (2560 bytes as UTF-16)', () => {
    expect(CHUNK_CHARS * 2).toBeLessThanOrEqual(2560);
  });

  it('splits a large token set and joins it back exactly', () => {
    const secrets = { idToken: 'i'.repeat(5000), refreshToken: 'r'.repeat(1500), accessToken: 'a'.repeat(4000) };
    const parts = splitSecrets(secrets);
    expect(parts.length).toBe(Math.ceil(JSON.stringify(secrets).length / CHUNK_CHARS));
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(CHUNK_CHARS);
    expect(joinSecrets(parts)).toEqual(secrets);
  });

  it('keeps a small set in one item and drops absent tokens', () => {
    const parts = splitSecrets({ idToken: 'header.payload.signature' });
    expect(parts).toEqual(['{"idToken":"header.payload.signature"}']);
    expect(joinSecrets(parts)).toEqual({ idToken: 'header.payload.signature' });
  });

  it('refuses a truncated or foreign payload', () => {
    const parts = splitSecrets({ idToken: 'x'.repeat(3000) }, 1000);
    expect(joinSecrets(parts.slice(0, 2))).toBeUndefined();
    expect(joinSecrets(['{"idToken":""}'])).toBeUndefined();
    expect(joinSecrets(['{"idToken":"a","refreshToken":5}'])).toBeUndefined();
    expect(joinSecrets(['null'])).toBeUndefined();
  });
});
