// `kube-login clean` over an in-memory keychain and a real temporary cache directory.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { toEntryFile } from '../../../src/cache/entry-file.js';
import { FileTokenStore } from '../../../src/cache/file-store.js';
import { cacheKey } from '../../../src/cache/key.js';
import { KeychainTokenStore, cacheDirTag } from '../../../src/cache/keychain-store.js';
import { FALLBACK_NOTICE_MARKER } from '../../../src/cache/select-store.js';
import { register } from '../../../src/cli/commands/clean.js';
import { clean } from '../../../src/usecases/clean.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { MemoryKeychain, collectingLogger } from './memory-keychain.js';

const key = (clientId: string) => cacheKey({ issuer: 'https://idp.example', clientId, scopes: [], extraParams: {} });
const TOKENS = { idToken: 'eyJ.id.sig', refreshToken: 'refresh-value', idTokenIssuedAt: 1, idTokenExpiresAt: 2 };

/** A pid that certainly belongs to no process: one that has just exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

/** A lock file as kube-login writes it (the pid namespace lets readers check the pid). */
function lockText(pid: number): string {
  const pidNamespace = process.platform === 'linux' ? readlinkSync('/proc/self/ns/pid') : undefined;
  return JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString(), purpose: 'logging in', ...(pidNamespace ? { pidNamespace } : {}) });
}

async function filledDir(keychain: MemoryKeychain) {
  const dir = makeTempDir('kube-login-clean-');
  const { logger } = collectingLogger();
  const keyring = new KeychainTokenStore(dir, logger, { keychain: () => keychain, chunkChars: 8 });
  await keyring.write(key('a'), TOKENS);
  await keyring.write(key('b'), TOKENS);
  await new FileTokenStore(dir, logger).write(key('c'), TOKENS);
  // An orphan of this directory (an interrupted write), a probe left by a crash, another directory's item.
  keychain.items.set(`${key('d').id}.${cacheDirTag(dir)}-00aa00aa00aa`, 'orphan');
  keychain.items.set(`probe.${cacheDirTag(dir)}-1234abcd`, 'probe');
  keychain.items.set(`${key('a').id}.${cacheDirTag('/other/dir')}-00aa00aa00aa`, 'keep me');
  keychain.items.set('not-ours', 'keep me too');
  writeFileSync(join(dir, `${key('a').id}.lock`), lockText(deadPid()));
  writeFileSync(join(dir, `.${key('c').id}.json.123.abcd.tmp`), 'partial');
  writeFileSync(join(dir, FALLBACK_NOTICE_MARKER), '{}');
  writeFileSync(join(dir, 'README.txt'), 'not ours');
  writeFileSync(join(dir, `client-auth-${'0'.repeat(64)}.json`), '{"method":"client_secret_post"}');
  return { dir, logger };
}

describe('clean', () => {
  it('removes entries, their keychain items, this directory\'s orphans, dead locks, leftovers and the marker', async () => {
    const keychain = new MemoryKeychain();
    const { dir } = await filledDir(keychain);
    const { logger, lines } = collectingLogger();
    const report = await clean({ logger, keychain: () => keychain }, { cacheDir: dir });
    expect(readdirSync(dir)).toEqual(['README.txt']);
    expect([...keychain.items.keys()].sort()).toEqual([`${key('a').id}.${cacheDirTag('/other/dir')}-00aa00aa00aa`, 'not-ours'].sort());
    expect(report).toMatchObject({ entryFiles: 3, lockFiles: 1, leftoverFiles: 1, noticeMarker: true, otherDirItems: 1, keptEntryFiles: 0 });
    expect(report.keychainItems).toBeGreaterThan(4);
    expect(lines).toEqual([
      `kube-login: removed from ${dir}: 3 entry files, ${report.keychainItems} keychain items, 1 lock file, 1 leftover temporary file, the keychain notice marker`,
    ]);
  });

  it('keeps a lock that a running kube-login holds', async () => {
    const dir = makeTempDir('kube-login-clean-');
    writeFileSync(join(dir, `${key('a').id}.lock`), lockText(process.pid));
    const { logger, lines } = collectingLogger();
    const report = await clean({ logger, keychain: () => new MemoryKeychain() }, { cacheDir: dir });
    expect(report.locksInUse).toEqual([`pid ${process.pid} on ${hostname()}`]);
    expect(existsSync(join(dir, `${key('a').id}.lock`))).toBe(true);
    expect(lines).toEqual([`kube-login: nothing to remove in ${dir}`, expect.stringMatching(/^kube-login: kept 1 lock held by a running kube-login \(pid \d+ on .*\); run clean again/)]);
  });

  it('keeps keyring entries whose items it cannot remove, removes the rest, and fails clearly', async () => {
    const keychain = new MemoryKeychain();
    const { dir } = await filledDir(keychain);
    keychain.failOn.delete = 'Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead';
    const { logger } = collectingLogger();
    await expect(clean({ logger, keychain: () => keychain }, { cacheDir: dir })).rejects.toMatchObject({
      code: 'keychain',
      message: expect.stringMatching(/^could not remove 2 cache entries from the OS keychain: the D-Bus session bus|there is no D-Bus session bus/),
    });
    expect(readdirSync(dir).sort()).toEqual([`${key('a').id}.json`, `${key('b').id}.json`, 'README.txt'].sort());
  });

  it('cleans a disk-only directory when no keychain can be opened', async () => {
    const dir = makeTempDir('kube-login-clean-');
    const { logger, lines } = collectingLogger();
    await new FileTokenStore(dir, logger).write(key('c'), TOKENS);
    const keychain = () => {
      throw new Error("Cannot find module '@napi-rs/keyring-linux-x64-gnu'");
    };
    await clean({ logger, keychain }, { cacheDir: dir });
    expect(readdirSync(dir)).toEqual([]);
    expect(lines).toEqual([`kube-login: removed from ${dir}: 1 entry file`]);
  });

  it('says there is nothing to remove in a missing directory', async () => {
    const { logger, lines } = collectingLogger();
    const dir = join(makeTempDir('kube-login-clean-'), 'absent');
    await clean({ logger, keychain: () => new MemoryKeychain() }, { cacheDir: dir });
    expect(lines).toEqual([`kube-login: nothing to remove in ${dir}`]);
  });
});

describe('the clean command', () => {
  it('reports on stderr only, for --token-cache-dir', async () => {
    const dir = makeTempDir('kube-login-clean-');
    const { logger } = collectingLogger();
    await new FileTokenStore(dir, logger).write(key('c'), TOKENS);
    const stdout: string[] = [];
    const stderr: string[] = [];
    const program = new Command('kube-login').exitOverride();
    register(program, {
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
      // No D-Bus session: the OS keychain cannot be searched, which only skips orphans.
      env: { PATH: process.env['PATH'] },
      stdinIsTTY: false,
      stderrIsTTY: false,
    });
    await program.parseAsync(['clean', '--token-cache-dir', dir], { from: 'user' });
    expect(stdout).toEqual([]);
    expect(stderr.join('')).toBe(`kube-login: removed from ${dir}: 1 entry file\n`);
  });
});
