// The keychain store against a real Secret Service (gnome-keyring in a private D-Bus session).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EntryFile } from '../../../src/cache/entry-file.js';
import { cacheKey } from '../../../src/cache/key.js';
import { itemCharsFor } from '../../../src/cache/keychain-chunks.js';
import { KeychainTokenStore, cacheDirTag } from '../../../src/cache/keychain-store.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { clean } from '../../../src/usecases/clean.js';
import { type KeyringSession, missingKeyringTool, startKeyringSession, warnKeyringSkipped } from '../../support/keyring-session.js';
import { repoRoot } from '../../support/paths.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { collectingLogger } from '../../unit/cache/memory-keychain.js';
import { startFixture } from './lock-process.js';
import { DRIVER_KEY, numberedTokens, randomToken } from './fixtures/tokens.js';

const missing = missingKeyringTool();
if (missing) warnKeyringSkipped('keychain store tests against gnome-keyring');

const KEY = cacheKey({ issuer: 'https://idp.example', clientId: 'kubernetes', scopes: [], extraParams: {} });

/** Every file under `dir`, recursively, as latin1 text (so binary files are searchable too). */
function everyFile(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path).toString('latin1') }));
}

/** Fails if any token, or any 24-character piece of one, appears in a file under `dir`. */
function expectNoPlaintext(dir: string, tokens: CachedTokens): void {
  const secrets = [tokens.idToken, tokens.refreshToken, tokens.accessToken].filter((value): value is string => value !== undefined);
  const files = everyFile(dir);
  expect(files.length).toBeGreaterThan(0);
  for (const { path, text } of files) {
    for (const secret of secrets) {
      for (let at = 0; at + 24 <= secret.length; at += 12) {
        expect(text.includes(secret.slice(at, at + 24)), `a piece of a token is in ${path}`).toBe(false);
      }
    }
  }
}

/** The kube-login items secret-tool sees: account → secret. */
async function keychainItems(session: KeyringSession): Promise<Map<string, string>> {
  const out = await session.secretTool('search', '--all', '--unlock', 'service', 'kube-login');
  const items = new Map<string, string>();
  for (const block of out.split(/^\[/m).slice(1)) {
    const account = /^attribute\.username = (.*)$/m.exec(block)?.[1];
    const secret = /^secret = (.*)$/m.exec(block)?.[1];
    if (account !== undefined && secret !== undefined) items.set(account, secret);
  }
  return items;
}

describe.skipIf(missing !== undefined)('KeychainTokenStore with gnome-keyring', () => {
  let session: KeyringSession;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    session = await startKeyringSession();
    // The native module reads the bus address from this process's environment.
    for (const [name, value] of Object.entries({ DBUS_SESSION_BUS_ADDRESS: session.vars['DBUS_SESSION_BUS_ADDRESS'] as string })) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  beforeEach(async () => {
    // Each test starts with no kube-login item, whatever an earlier failure left.
    await session.secretTool('clear', 'service', 'kube-login').catch(() => undefined);
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await session?.stop();
  });

  it('keeps the tokens in the keychain, where secret-tool finds them, and none under the cache directory', async () => {
    const dir = makeTempDir('kube-login-kr-');
    const tokens: CachedTokens = { idToken: `eyJ.${randomToken(700)}.sig`, refreshToken: randomToken(120), accessToken: randomToken(300), idTokenIssuedAt: 1_700_000_000, idTokenExpiresAt: 1_700_003_600 };
    const { logger } = collectingLogger();
    await new KeychainTokenStore(dir, logger).write(KEY, tokens);
    expect(await new KeychainTokenStore(dir, logger).read(KEY)).toEqual(tokens);
    const entry = JSON.parse(readFileSync(join(dir, `${KEY.id}.json`), 'utf8')) as EntryFile;
    expect(entry).toMatchObject({ storage: 'keyring', hasRefreshToken: true, keychain: { chunks: 1 } });
    const items = await keychainItems(session);
    const secret = items.get(`${KEY.id}.${entry.keychain?.generation}`);
    expect(secret).toContain(tokens.idToken);
    expect(secret).toContain(tokens.refreshToken);
    expectNoPlaintext(dir, tokens);
    await new KeychainTokenStore(dir, logger).remove(KEY.id);
    expect(await keychainItems(session)).toEqual(new Map());
  });

  it('keeps a large token set in one item here, so that a cache hit reads one item', async () => {
    const dir = makeTempDir('kube-login-kr-');
    const big: CachedTokens = { idToken: `eyJ.${randomToken(6000)}.sig`, refreshToken: randomToken(2000), accessToken: randomToken(4000), idTokenIssuedAt: 1, idTokenExpiresAt: 2 };
    const { logger } = collectingLogger();
    await new KeychainTokenStore(dir, logger).write(KEY, big);
    expect((JSON.parse(readFileSync(join(dir, `${KEY.id}.json`), 'utf8')) as EntryFile).keychain?.chunks).toBe(1);
    expect((await keychainItems(session)).size).toBe(1);
    expect(await new KeychainTokenStore(dir, logger).read(KEY)).toEqual(big);
    await new KeychainTokenStore(dir, logger).remove(KEY.id);
  });

  it('splits a large token set across items of the forced Windows size, replaces the generation on rewrite, and removes it', async () => {
    const dir = makeTempDir('kube-login-kr-');
    const big: CachedTokens = { idToken: `eyJ.${randomToken(6000)}.sig`, refreshToken: randomToken(2000), accessToken: randomToken(4000), idTokenIssuedAt: 1, idTokenExpiresAt: 2 };
    const { logger } = collectingLogger();
    const store = new KeychainTokenStore(dir, logger, { chunkChars: itemCharsFor('win32') });
    await store.write(KEY, big);
    const entry = () => JSON.parse(readFileSync(join(dir, `${KEY.id}.json`), 'utf8')) as EntryFile;
    const chunks = entry().keychain?.chunks ?? 0;
    expect(chunks).toBeGreaterThanOrEqual(10);
    let items = await keychainItems(session);
    expect(items.size).toBe(chunks);
    for (const value of items.values()) expect(value.length).toBeLessThanOrEqual(1200);
    expect(await new KeychainTokenStore(dir, logger).read(KEY)).toEqual(big);
    expectNoPlaintext(dir, big);

    const first = entry().keychain?.generation as string;
    await store.write(KEY, { ...big, idToken: `eyJ.${randomToken(6000)}.sig` });
    items = await keychainItems(session);
    expect(items.size).toBe(entry().keychain?.chunks);
    expect([...items.keys()].some((account) => account.includes(first))).toBe(false);

    expect(await store.remove(KEY.id)).toBe(true);
    expect(await keychainItems(session)).toEqual(new Map());
    expect(readdirSync(dir)).toEqual([]);
  });

  it('gives a reader racing 20 rewrites by another process a complete set every time, never a mix', async () => {
    const dir = makeTempDir('kube-login-kr-');
    const { logger } = collectingLogger();
    const store = new KeychainTokenStore(dir, logger);
    await store.write(DRIVER_KEY, numberedTokens(0));
    const writer = startFixture('test/integration/cache/fixtures/store-driver.ts', ['rewrite', dir, '20'], session.env);
    let done = false;
    void writer.exited.then(() => (done = true));
    const seen = new Set<number>();
    let reads = 0;
    let misses = 0;
    while (!done) {
      const tokens = await store.read(DRIVER_KEY);
      reads++;
      if (!tokens) {
        misses++;
        continue;
      }
      const n = Number(/^eyJ\.gen-(\d+)-/.exec(tokens.idToken ?? '')?.[1]);
      expect(tokens).toEqual(numberedTokens(n));
      seen.add(n);
    }
    expect(await writer.exited, writer.stderr()).toBe(0);
    expect(seen.size, `reads ${reads}, distinct sets ${seen.size}`).toBeGreaterThan(1);
    expect(misses / reads).toBeLessThan(0.1);
    expect(await store.read(DRIVER_KEY)).toEqual(numberedTokens(20));
    expect((await keychainItems(session)).size).toBe((JSON.parse(readFileSync(join(dir, `${DRIVER_KEY.id}.json`), 'utf8')) as EntryFile).keychain?.chunks);
    await store.remove(DRIVER_KEY.id);
  }, 60_000);

  it('is read by the fast path\'s CommonJS bundle with a plain require, and the bundle gives up quietly without D-Bus', async () => {
    const dir = makeTempDir('kube-login-kr-');
    const tokens: CachedTokens = { idToken: `eyJ.${randomToken(3000)}.sig`, refreshToken: randomToken(100), idTokenIssuedAt: 1, idTokenExpiresAt: 2 };
    await new KeychainTokenStore(dir, collectingLogger().logger).write(KEY, tokens);
    // Inside the repository, so that the bundle's require finds node_modules as dist/fast-hit.cjs does.
    const outDir = join(repoRoot, '.tmp', 'keychain-test');
    mkdirSync(outDir, { recursive: true });
    const outfile = join(outDir, `fast-read-${process.pid}.cjs`);
    await build({
      entryPoints: [join(repoRoot, 'test/integration/cache/fixtures/fast-read-entry.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['@napi-rs/keyring'],
      logLevel: 'silent',
    });
    const bundle = readFileSync(outfile, 'utf8');
    expect(bundle).toContain('require("@napi-rs/keyring")');
    expect(bundle).not.toContain('createRequire');
    const read = (env: NodeJS.ProcessEnv) => JSON.parse(execFileSync(process.execPath, [outfile, dir, KEY.id], { env }).toString()) as unknown;
    expect(read(session.env)).toEqual({ idToken: tokens.idToken, refreshToken: tokens.refreshToken });
    // Without the variable libdbus also tries $XDG_RUNTIME_DIR/bus (the systemd user bus): drop both.
    const noBus = { ...session.env };
    delete noBus['DBUS_SESSION_BUS_ADDRESS'];
    delete noBus['XDG_RUNTIME_DIR'];
    expect(read(noBus)).toBeNull();
    await new KeychainTokenStore(dir, collectingLogger().logger).remove(KEY.id);
    rmSync(outfile, { force: true });
  });

  it('is emptied by clean, orphans of this directory included, other directories\' items kept', async () => {
    const dir = makeTempDir('kube-login-kr-');
    const other = makeTempDir('kube-login-kr-');
    const { logger } = collectingLogger();
    await new KeychainTokenStore(dir, logger).write(KEY, numberedTokens(1));
    await new KeychainTokenStore(other, logger).write(KEY, numberedTokens(2));
    // An orphan: the items of an interrupted write that no entry file names.
    execFileSync('secret-tool', ['store', '--label=orphan', 'service', 'kube-login', 'username', `${KEY.id}.${cacheDirTag(dir)}-00ff00ff00ff`], { env: session.env, input: 'orphan' });
    const before = await keychainItems(session);
    const { logger: cleanLogger, lines } = collectingLogger();
    const report = await clean({ logger: cleanLogger }, { cacheDir: dir });
    const after = await keychainItems(session);
    expect(report.keychainItems).toBe(before.size - after.size);
    expect([...after.keys()].every((account) => account.includes(cacheDirTag(other)))).toBe(true);
    expect(after.size).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
    expect(lines).toEqual([`kube-login: removed from ${dir}: 1 entry file, ${report.keychainItems} keychain items`]);
    expect(await new KeychainTokenStore(other, logger).read(KEY)).toEqual(numberedTokens(2));
    await clean({ logger: cleanLogger }, { cacheDir: other });
    expect(await keychainItems(session)).toEqual(new Map());
  });
});
