// The disk token store against a real temp dir: private modes, atomic replacement, and a corrupt
// entry is one warning line and a miss, never a crash.
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTokenStore } from '../../../src/cache/file-store.js';
import { cacheKey } from '../../../src/cache/key.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { KubeLoginError } from '../../../src/errors.js';
import { arrayLogger, tempDir } from './helpers.js';

const key = cacheKey({ issuer: 'https://idp.example.com', clientId: 'kubernetes', scopes: [], extraParams: {} });
const tokensA: CachedTokens = {
  idToken: 'id-token-A-0123456789',
  refreshToken: 'refresh-token-A-0123456789',
  idTokenIssuedAt: 1_900_000_000,
  idTokenExpiresAt: 1_900_003_600,
};
const tokensB: CachedTokens = {
  idToken: 'id-token-B-0123456789',
  refreshToken: 'refresh-token-B-0123456789',
  accessToken: 'access-token-B-0123456789',
  idTokenIssuedAt: 1_900_001_000,
  idTokenExpiresAt: 1_900_004_600,
  accessTokenIssuedAt: 1_900_001_000,
  accessTokenExpiresAt: 1_900_001_300,
};

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('FileTokenStore', () => {
  it('creates a missing cache directory with mode 0700 and the entry with mode 0600', async () => {
    const dir = join(root, 'home', '.kube', 'cache', 'kube-login');
    const { logger } = arrayLogger();
    await new FileTokenStore(dir, logger).write(key, tokensA);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, `${key.id}.json`))).toBe(0o600);
  });

  it('reads back what it wrote', async () => {
    const { logger, lines } = arrayLogger();
    const store = new FileTokenStore(root, logger);
    await store.write(key, tokensB);
    expect(await store.read(key)).toEqual(tokensB);
    expect(lines()).toEqual([]);
  });

  it('leaves exactly one file per key and no temporary files behind', async () => {
    const { logger } = arrayLogger();
    const store = new FileTokenStore(root, logger);
    await store.write(key, tokensA);
    await store.write(key, tokensB);
    await store.write(key, tokensA);
    expect(await readdir(root)).toEqual([`${key.id}.json`]);
  });

  it('replaces a pre-existing world-readable entry with a 0600 one', async () => {
    const path = join(root, `${key.id}.json`);
    await writeFile(path, 'old');
    await chmod(path, 0o644);
    const { logger } = arrayLogger();
    await new FileTokenStore(root, logger).write(key, tokensA);
    expect(await mode(path)).toBe(0o600);
  });

  it('never lets a concurrent reader see a half-written entry', async () => {
    const { logger, lines } = arrayLogger();
    const store = new FileTokenStore(root, logger);
    await store.write(key, tokensA);
    const ops: Array<Promise<unknown>> = [];
    for (let i = 0; i < 40; i++) {
      ops.push(store.write(key, i % 2 === 0 ? tokensB : tokensA));
      ops.push(store.read(key));
    }
    const results = await Promise.all(ops);
    const reads = results.filter((_, index) => index % 2 === 1);
    for (const read of reads) expect([tokensA, tokensB]).toContainEqual(read);
    expect(lines()).toEqual([]);
    expect(await readdir(root)).toEqual([`${key.id}.json`]);
  });

  it('reads a missing entry as a miss, silently', async () => {
    const { logger, text } = arrayLogger(true);
    expect(await new FileTokenStore(join(root, 'does-not-exist'), logger).read(key)).toBeUndefined();
    expect(text()).toBe('');
  });

  it.each([
    ['garbage', 'garbage \u0000 not json'],
    ['an empty file', ''],
    ['a truncated entry', '{"version":1,"key":{"issuer":"https://idp.exa'],
    ['an entry of a future format', '{"version":99}'],
  ])('reads %s as a miss with exactly one warning line naming the file', async (_name, content) => {
    const path = join(root, `${key.id}.json`);
    await writeFile(path, content, { mode: 0o600 });
    const { logger, lines } = arrayLogger();
    await expect(new FileTokenStore(root, logger).read(key)).resolves.toBeUndefined();
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toContain(path);
  });

  it('reports a directory in the place of an entry as a `cache` error naming the path, before any login', async () => {
    const path = join(root, `${key.id}.json`);
    await mkdir(path);
    const { logger } = arrayLogger();
    const error = await new FileTokenStore(root, logger).read(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).message).toBe(`could not use the token cache ${path}: the token cache entry ${path} is not a regular file`);
  });

  it.each([
    ['group-readable', 0o640, 'has mode 0640, so other users can read or change it'],
    ['world-writable', 0o602, 'has mode 0602, so other users can read or change it'],
  ])('refuses a %s entry as a `cache` error with the chmod fix', async (_name, mode, reason) => {
    const store = new FileTokenStore(root, arrayLogger().logger);
    await store.write(key, tokensA);
    const path = join(root, `${key.id}.json`);
    await chmod(path, mode);
    const error = await store.read(key).catch((e: unknown) => e);
    expect((error as KubeLoginError).code).toBe('cache');
    expect((error as KubeLoginError).reason).toContain(reason);
    expect((error as KubeLoginError).fix).toContain(`chmod 600 ${path}`);
  });

  it('refuses every entry of a cache folder that others can write to', async () => {
    const store = new FileTokenStore(root, arrayLogger().logger);
    await store.write(key, tokensA);
    await chmod(root, 0o777);
    const error = await store.read(key).catch((e: unknown) => e);
    await chmod(root, 0o700);
    expect((error as KubeLoginError).reason).toBe(`the token cache folder ${root} has mode 0777, so other users can write to it and plant a token`);
    expect((error as KubeLoginError).fix).toContain(`chmod 700 ${root}`);
  });

  it('overwrites a corrupt entry on the next write', async () => {
    const path = join(root, `${key.id}.json`);
    await writeFile(path, 'garbage');
    const { logger } = arrayLogger();
    const store = new FileTokenStore(root, logger);
    await store.write(key, tokensA);
    expect(await store.read(key)).toEqual(tokensA);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ version: 1, storage: 'disk' });
  });

  it('reports a cache directory it cannot create as a `cache` error naming the path', async () => {
    const blocker = join(root, 'a-file');
    await writeFile(blocker, 'not a directory');
    const { logger } = arrayLogger();
    const error = await new FileTokenStore(join(blocker, 'cache'), logger).write(key, tokensA).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect((error as KubeLoginError).code).toBe('cache');
    expect((error as KubeLoginError).message).toContain(blocker);
  });

  it('keeps secrets out of the listing', async () => {
    const { logger } = arrayLogger();
    const store = new FileTokenStore(root, logger);
    await store.write(key, tokensB);
    const list = await store.list();
    expect(list.map((entry) => entry.id)).toEqual([key.id]);
    const text = JSON.stringify(list);
    for (const secret of [tokensB.idToken, tokensB.refreshToken, tokensB.accessToken]) expect(text).not.toContain(secret);
  });

  it('removes an entry and says whether there was one', async () => {
    const { logger } = arrayLogger();
    const store = new FileTokenStore(root, logger);
    await store.write(key, tokensA);
    expect(await store.remove(key.id)).toBe(true);
    expect(await store.read(key)).toBeUndefined();
    expect(await store.remove(key.id)).toBe(false);
  });
});
