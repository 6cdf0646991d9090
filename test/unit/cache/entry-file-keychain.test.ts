// The optional keychain reference of keyring entries, as parseEntryFile validates it.
import { describe, expect, it } from 'vitest';
import { parseEntryFile, toEntryFile } from '../../../src/cache/entry-file.js';

const KEY = { issuer: 'https://idp.example', clientId: 'kubernetes', scopes: [], extraParams: {} };
const TOKENS = { idToken: 'id-token-value', refreshToken: 'refresh-token-value', idTokenExpiresAt: 2000, idTokenIssuedAt: 1000 };
const entry = (keychain: unknown) => JSON.stringify({ ...toEntryFile(KEY, TOKENS, 'keyring', new Date(0)), keychain });

describe('parseEntryFile with a keychain reference', () => {
  it('keeps a keyring entry that names its items, and no secrets', () => {
    const parsed = parseEntryFile(entry({ generation: '0a1b2c3d-00112233aabb', chunks: 3 }));
    expect(parsed).toMatchObject({ storage: 'keyring', keychain: { generation: '0a1b2c3d-00112233aabb', chunks: 3 } });
    expect(JSON.stringify(parsed)).not.toContain('token-value');
  });

  it('still reads entries without one', () => {
    expect(typeof parseEntryFile(JSON.stringify(toEntryFile(KEY, TOKENS, 'keyring', new Date(0))))).toBe('object');
  });

  it('refuses a malformed reference', () => {
    for (const bad of [null, 'x', { generation: 'UPPER', chunks: 1 }, { generation: '0a1b', chunks: 0 }, { generation: '0a1b', chunks: 65 }, { generation: '0a1b', chunks: 1.5 }, { generation: '../x', chunks: 1 }]) {
      expect(parseEntryFile(entry(bad)), JSON.stringify(bad)).toBe('its keychain reference is malformed');
    }
  });
});
