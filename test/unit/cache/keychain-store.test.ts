// The keychain store's logic over an in-memory keychain and a temporary cache directory.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EntryFile, toEntryFile } from '../../../src/cache/entry-file.js';
import { cacheKey } from '../../../src/cache/key.js';
import { itemCharsFor } from '../../../src/cache/keychain-chunks.js';
import { KeychainTokenStore, cacheDirTag } from '../../../src/cache/keychain-store.js';
import { isKubeLoginError } from '../../../src/errors.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { MemoryKeychain, collectingLogger } from './memory-keychain.js';

const KEY = cacheKey({ issuer: 'https://idp.example', clientId: 'kubernetes', scopes: ['email'], extraParams: {} });
const TOKENS = { idToken: 'eyJ.id-token-secret.sig', refreshToken: 'refresh-secret-value', idTokenIssuedAt: 1000, idTokenExpiresAt: 4600 };
const BIG = { idToken: `eyJ.${'i'.repeat(4000)}.sig`, refreshToken: 'r'.repeat(900), accessToken: 'a'.repeat(2500), idTokenIssuedAt: 1, idTokenExpiresAt: 2 };

function setup(chunkChars?: number) {
  const dir = makeTempDir('kube-login-kstore-');
  const keychain = new MemoryKeychain();
  const { logger, lines } = collectingLogger(true);
  const store = new KeychainTokenStore(dir, logger, { keychain: () => keychain, ...(chunkChars ? { chunkChars } : {}) });
  const entry = () => JSON.parse(readFileSync(join(dir, `${KEY.id}.json`), 'utf8')) as EntryFile;
  return { dir, keychain, logger, lines, store, entry };
}

describe('KeychainTokenStore', () => {
  it('keeps secrets in the keychain and only metadata in the entry file', async () => {
    const { store, keychain, entry, dir } = setup();
    await store.write(KEY, TOKENS);
    const file = readFileSync(join(dir, `${KEY.id}.json`), 'utf8');
    expect(file).not.toContain('id-token-secret');
    expect(file).not.toContain('refresh-secret-value');
    expect(entry()).toMatchObject({ storage: 'keyring', hasRefreshToken: true, times: { idTokenExpiresAt: 4600 }, keychain: { chunks: 1 } });
    expect(entry().keychain?.generation.startsWith(`${cacheDirTag(dir)}-`)).toBe(true);
    expect([...keychain.items.keys()]).toEqual([`${KEY.id}.${entry().keychain?.generation}`]);
    expect(await store.read(KEY)).toEqual(TOKENS);
    expect(await store.list()).toMatchObject([{ id: KEY.id, storage: 'keyring', hasRefreshToken: true }]);
  });

  it('keeps even a large token set in one item where the platform allows it (a hit then reads one item)', async () => {
    const { store, keychain, entry } = setup();
    await store.write(KEY, BIG);
    expect(entry().keychain?.chunks).toBe(itemCharsFor('win32') === itemCharsFor() ? Math.ceil(JSON.stringify(BIG).length / 1200) : 1);
    expect(await store.read(KEY)).toEqual(BIG);
    expect(itemCharsFor('linux')).toBeGreaterThan(JSON.stringify(BIG).length);
    expect(itemCharsFor('darwin')).toBe(itemCharsFor('linux'));
  });

  it('splits a large token set across items of the Windows size and reads it back', async () => {
    const { store, keychain, entry } = setup(itemCharsFor('win32'));
    await store.write(KEY, BIG);
    expect(entry().keychain?.chunks).toBeGreaterThan(5);
    expect(keychain.items.size).toBe(entry().keychain?.chunks);
    for (const value of keychain.items.values()) expect(value.length).toBeLessThanOrEqual(1200);
    expect(await store.read(KEY)).toEqual(BIG);
  });

  it('writes a new generation and deletes the old one', async () => {
    const { store, keychain, entry } = setup();
    await store.write(KEY, BIG);
    const first = entry().keychain?.generation;
    await store.write(KEY, { ...TOKENS, idToken: 'eyJ.second.sig' });
    expect(entry().keychain?.generation).not.toBe(first);
    expect([...keychain.items.keys()].some((account) => account.includes(first as string))).toBe(false);
    expect(keychain.items.size).toBe(1);
    expect((await store.read(KEY))?.idToken).toBe('eyJ.second.sig');
  });

  it('follows the entry file when a concurrent write replaced the generation under a reader', async () => {
    const { store, keychain, dir, entry } = setup();
    await store.write(KEY, TOKENS);
    const old = entry();
    const realGet = keychain.get.bind(keychain);
    let replaced = false;
    // Between the reader's look at the entry file and its first item read, a writer completes:
    // new items, the entry file naming them, the old items deleted.
    keychain.get = (account) => {
      if (!replaced) {
        replaced = true;
        const generation = `${cacheDirTag(dir)}-0123456789ab`;
        keychain.items.clear();
        keychain.items.set(`${KEY.id}.${generation}`, JSON.stringify({ idToken: 'eyJ.newer.sig' }));
        writeFileSync(join(dir, `${KEY.id}.json`), JSON.stringify({ ...old, keychain: { generation, chunks: 1 } }));
      }
      return realGet(account);
    };
    expect((await store.read(KEY))?.idToken).toBe('eyJ.newer.sig');
  });

  it('reads a missing item as a miss with one warning', async () => {
    const { store, keychain, lines } = setup();
    await store.write(KEY, TOKENS);
    keychain.items.clear();
    expect(await store.read(KEY)).toBeUndefined();
    expect(lines.filter((line) => line.includes('warning'))).toEqual([expect.stringMatching(/keychain items of the token cache .* are missing/)]);
  });

  it('turns a keychain failure into KubeLoginError("keychain")', async () => {
    const { store, keychain } = setup();
    await store.write(KEY, TOKENS);
    keychain.failOn.get = 'zbus error: org.freedesktop.Secret.Error.IsLocked: Cannot get secret of a locked object';
    const error = await store.read(KEY).catch((thrown: unknown) => thrown);
    expect(isKubeLoginError(error, 'keychain')).toBe(true);
    expect(String((error as Error).message)).toMatch(/could not read the token from the OS keychain: the keychain is locked/);
  });

  it('leaves no partial items and the old entry when a write fails midway', async () => {
    const { store, keychain, entry } = setup(itemCharsFor('win32'));
    await store.write(KEY, TOKENS);
    const before = entry();
    keychain.setsBeforeFailure = 3;
    await expect(store.write(KEY, BIG)).rejects.toMatchObject({ code: 'keychain' });
    expect(entry()).toEqual(before);
    expect(keychain.items.size).toBe(1);
    expect(await store.read(KEY)).toEqual(TOKENS);
  });

  it('refuses a token set too large for the keychain', async () => {
    const { store } = setup(10);
    await expect(store.write(KEY, BIG)).rejects.toMatchObject({ code: 'keychain', reason: expect.stringMatching(/more than the 640/) });
  });

  it('reads an entry kept on disk (written while no keychain worked) and moves it at the next write', async () => {
    const { store, dir, entry } = setup();
    writeFileSync(join(dir, `${KEY.id}.json`), JSON.stringify(toEntryFile(KEY.input, TOKENS, 'disk', new Date())), { mode: 0o600 });
    expect(await store.read(KEY)).toEqual(TOKENS);
    await store.write(KEY, TOKENS);
    expect(entry().storage).toBe('keyring');
    expect(readFileSync(join(dir, `${KEY.id}.json`), 'utf8')).not.toContain('secret');
  });

  it('removes an entry with its items and the leftovers of an interrupted write, but not other directories\' items', async () => {
    const { store, keychain, dir } = setup();
    await store.write(KEY, TOKENS);
    keychain.items.set(`${KEY.id}.${cacheDirTag(dir)}-deadbeef0000`, 'orphan');
    keychain.items.set(`${KEY.id}.${cacheDirTag('/elsewhere')}-deadbeef0000`, 'other directory');
    expect(await store.remove(KEY.id)).toBe(true);
    expect([...keychain.items.keys()]).toEqual([`${KEY.id}.${cacheDirTag('/elsewhere')}-deadbeef0000`]);
    expect(readdirSync(dir)).toEqual([]);
    expect(await store.remove(KEY.id)).toBe(false);
  });

  it('probes with a throw-away item and explains a failure', () => {
    const { store, keychain } = setup();
    store.probe();
    expect(keychain.items.size).toBe(0);
    keychain.failOn.set = 'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead';
    expect(() => store.probe()).toThrow(/could not use the OS keychain: there is no D-Bus session bus|the D-Bus session bus/);
  });

  it('masks the tokens it reads in later log lines', async () => {
    const { store, logger, lines } = setup();
    await store.write(KEY, TOKENS);
    await store.read(KEY);
    logger.warn(`oops ${TOKENS.refreshToken}`);
    expect(lines.at(-1)).toBe('kube-login: warning: oops [redacted]');
  });
});
