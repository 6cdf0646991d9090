// The per-key cache lock between real processes: turns, dead and stale holders, Ctrl-C, timeout.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCacheLock, lockFileName } from '../../../src/cache/file-lock.js';
import { formatError } from '../../../src/cli/exit-codes.js';
import { KubeLoginError } from '../../../src/errors.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { collectingLogger } from '../../unit/cache/memory-keychain.js';
import { type FixtureProcess, LOCK_DRIVER, startFixture } from './lock-process.js';

const ID = 'c0ffee'.padEnd(64, '0');

function cacheDir(): string {
  const dir = join(makeTempDir('kube-login-lock-'), 'cache');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

/** A pid that belongs to no process: one that has just exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

function staleLockOf(pid: number): string {
  const pidNamespace = process.platform === 'linux' ? readlinkSync('/proc/self/ns/pid') : undefined;
  return JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString(), purpose: 'logging in', ...(pidNamespace ? { pidNamespace } : {}) });
}

describe('FileCacheLock between processes', () => {
  it('lets 8 contending processes in one at a time, after breaking a dead holder\'s lock', async () => {
    const dir = cacheDir();
    const log = join(dir, '..', 'turns.log');
    writeFileSync(log, '');
    writeFileSync(join(dir, lockFileName(ID)), staleLockOf(deadPid()));
    const env = { ...process.env, LOG_FILE: log, HOLD_MS: '80' };
    const runs = Array.from({ length: 8 }, () => startFixture(LOCK_DRIVER, ['critical', dir, ID], env));
    const codes = await Promise.all(runs.map((run) => run.exited));
    expect(codes, runs.map((run) => run.stderr()).join('\n')).toEqual(Array(8).fill(0));
    const events = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' '));
    expect(events).toHaveLength(16);
    // Strictly alternating enter/exit of the same process: the critical sections never overlap.
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.[0]).toBe('enter');
      expect(events[i + 1]?.[0]).toBe('exit');
      expect(events[i + 1]?.[1]).toBe(events[i]?.[1]);
    }
    expect(new Set(events.map((event) => event[1])).size).toBe(8);
    expect(existsSync(join(dir, lockFileName(ID)))).toBe(false);
  }, 60_000);

  it('breaks the lock of a SIGKILLed holder at once when its pid is gone', async () => {
    const dir = cacheDir();
    const holder = startFixture(LOCK_DRIVER, ['hold', dir, ID]);
    await holder.waitFor('acquired');
    const info = JSON.parse(readFileSync(join(dir, lockFileName(ID)), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ pid: holder.child.pid, host: hostname(), purpose: 'logging in' });
    expect(statSync(join(dir, lockFileName(ID))).mode & 0o777).toBe(0o600);
    holder.child.kill('SIGKILL');
    await holder.exited;
    const started = Date.now();
    const handle = await new FileCacheLock({ dir, logger: collectingLogger().logger, staleMs: 60_000 }).acquire(ID);
    // A dead pid is detected at once, not after the 60 s stale timeout of this lock.
    expect(Date.now() - started).toBeLessThan(10_000);
    await handle.release();
  }, 30_000);

  it('keeps a live holder\'s lock fresh by heartbeats, and breaks it within the stale timeout once it is SIGKILLed', async () => {
    const dir = cacheDir();
    // The holder claims another host, so its pid cannot be checked: only the mtime heartbeat tells.
    const holder = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_HOSTNAME: 'another-host', LOCK_HEARTBEAT_MS: '200' });
    await holder.waitFor('acquired');
    const { logger, lines } = collectingLogger();
    let acquiredAt = 0;
    const waiting = new FileCacheLock({ dir, logger, staleMs: 2_000, noticeAfterMs: 300 }).acquire(ID).then((handle) => {
      acquiredAt = Date.now();
      return handle;
    });
    await new Promise((done) => setTimeout(done, 3_500));
    expect(acquiredAt, 'a live holder\'s lock was broken').toBe(0);
    expect(lines).toEqual([`kube-login: waiting for another kube-login (pid ${holder.child.pid} on another-host) that is logging in…`]);
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();
    await holder.exited;
    const handle = await waiting;
    expect(acquiredAt - killedAt).toBeGreaterThan(1_200);
    expect(acquiredAt - killedAt).toBeLessThan(2_000 + 6_000);
    await handle.release();
  }, 30_000);

  it('releases the lock on Ctrl-C (exit 130) and on SIGTERM', async () => {
    for (const [signal, outcome] of [['SIGINT', 130], ['SIGTERM', 'SIGTERM']] as const) {
      const dir = cacheDir();
      const holder = startFixture(LOCK_DRIVER, ['hold', dir, ID]);
      await holder.waitFor('acquired');
      expect(existsSync(join(dir, lockFileName(ID)))).toBe(true);
      holder.child.kill(signal);
      expect(await holder.exited).toBe(outcome);
      expect(existsSync(join(dir, lockFileName(ID))), `lock left after ${signal}`).toBe(false);
    }
  }, 30_000);

  it('tells the waiter what it waits for, again when the holder\'s purpose changes', async () => {
    const dir = cacheDir();
    const holder = startFixture(LOCK_DRIVER, ['hold', dir, ID], {
      ...process.env,
      PURPOSE: 'refreshing the token',
      NEXT_PURPOSE: 'logging in',
      NEXT_PURPOSE_AFTER_MS: '1800',
      HOLD_MS: '1500',
    });
    await holder.waitFor('acquired');
    const { logger, lines } = collectingLogger();
    const handle = await new FileCacheLock({ dir, logger }).acquire(ID);
    await handle.release();
    expect(await holder.exited).toBe(0);
    expect(lines).toEqual([
      `kube-login: waiting for another kube-login (pid ${holder.child.pid}) that is refreshing the token…`,
      `kube-login: waiting for another kube-login (pid ${holder.child.pid}) that is logging in…`,
    ]);
  }, 30_000);

  it('gives up after the timeout, naming the holder, the lock file and the fix', async () => {
    const dir = cacheDir();
    const holder = startFixture(LOCK_DRIVER, ['hold', dir, ID]);
    await holder.waitFor('acquired');
    const waiter = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_TIMEOUT_MS: '1500' });
    const code = await waiter.exited;
    holder.child.kill('SIGTERM');
    await holder.exited;
    expect(code).toBe(9);
    const path = join(dir, lockFileName(ID));
    const [notice, message, fix] = waiter.stderr().trimEnd().split('\n');
    expect(notice).toBe(`kube-login: waiting for another kube-login (pid ${holder.child.pid}) that is logging in…`);
    expect(message).toMatch(
      new RegExp(`^kube-login: could not take the token cache lock ${path}: another kube-login \\(pid ${holder.child.pid} on ${hostname()}, logging in since \\d{4}-\\d\\d-\\d\\dT[^)]+\\) still holds it after 2 s$`),
    );
    expect(fix).toBe(`  fix: if that process is stuck, stop it (\`kill ${holder.child.pid}\` on ${hostname()}); if no kube-login is running, delete ${path}`);
  }, 30_000);
});

describe('FileCacheLock in one process', () => {
  it('writes who holds it, refuses to take it twice, and removes it on release', async () => {
    const dir = cacheDir();
    const lock = new FileCacheLock({ dir, logger: collectingLogger().logger });
    const handle = await lock.acquire(ID, 'logging in');
    const info = JSON.parse(readFileSync(handle.path, 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ pid: process.pid, host: hostname(), purpose: 'logging in' });
    expect(Number.isNaN(Date.parse(String(info['startedAt'])))).toBe(false);
    await expect(lock.acquire(ID)).rejects.toMatchObject({ code: 'internal' });
    await handle.release();
    await handle.release();
    expect(existsSync(handle.path)).toBe(false);
  });

  it('refuses a cache directory other users can reach', async () => {
    const dir = cacheDir();
    chmodSync(dir, 0o755);
    const error = await new FileCacheLock({ dir, logger: collectingLogger().logger }).acquire(ID).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect(formatError(error as KubeLoginError, false)).toBe(
      `kube-login: could not use the token cache directory ${dir}: its mode is 0755, so other users can reach it; kube-login keeps tokens and locks only in a private (0700) directory\n` +
        `  fix: run \`chmod 700 ${dir}\`, or pass another --token-cache-dir\n`,
    );
  });

  it.runIf(process.getuid?.() === 0)('refuses a cache directory owned by another user', async () => {
    const dir = cacheDir();
    chownSync(dir, 65534, 65534);
    await expect(new FileCacheLock({ dir, logger: collectingLogger().logger }).acquire(ID)).rejects.toMatchObject({
      code: 'cache',
      reason: expect.stringMatching(/^it belongs to uid 65534, not to you \(uid 0\)/),
    });
  });
});

/** Waits for a fixture to end, killing it (and failing) if it is still running after `ms`. */
async function exitWithin(run: FixtureProcess, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([run.exited, new Promise<'hung'>((done) => (timer = setTimeout(() => done('hung'), ms)))]);
  clearTimeout(timer);
  if (outcome === 'hung') {
    run.child.kill('SIGKILL');
    await run.exited;
  }
  return outcome;
}

describe('FileCacheLock against stopped holders and hostile lock files (issue 9, item 6)', () => {
  it('lets a stopped (SIGSTOP) but alive holder on this host keep its lock past the heartbeat window', async () => {
    const dir = cacheDir();
    const holder = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_HEARTBEAT_MS: '200' });
    await holder.waitFor('acquired');
    holder.child.kill('SIGSTOP');
    try {
      // A 1 s heartbeat window instead of 15 s; the waiter gives up after 4 s, far past it.
      const waiter = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_STALE_MS: '1000', LOCK_TIMEOUT_MS: '4000', HOLD_MS: '1' });
      const code = await exitWithin(waiter, 20_000);
      expect(waiter.stdout(), 'the waiter took the lock of a live holder').not.toContain('acquired');
      expect(code, waiter.stderr()).toBe(9);
      expect(waiter.stderr()).toContain(`\`kill ${holder.child.pid}\``);
      expect(JSON.parse(readFileSync(join(dir, lockFileName(ID)), 'utf8'))).toMatchObject({ pid: holder.child.pid });
    } finally {
      // Resumed and ended whatever the outcome, so that no stopped holder outlives the test.
      holder.child.kill('SIGCONT');
      holder.child.kill('SIGTERM');
    }
    expect(await holder.exited).toBe('SIGTERM');
    expect(existsSync(join(dir, lockFileName(ID)))).toBe(false);
  }, 40_000);

  it.each([
    ['a FIFO', (path: string) => execFileSync('mkfifo', [path])],
    ['a 600 MB sparse file', (path: string) => {
      writeFileSync(path, '');
      truncateSync(path, 600 * 2 ** 20);
    }],
    ['a symbolic link to a FIFO', (path: string) => {
      execFileSync('mkfifo', [`${path}.fifo`]);
      symlinkSync(`${path}.fifo`, path);
    }],
    ['pid -1 with a time in 2100', (path: string) => {
      writeFileSync(path, staleLockOf(-1));
      utimesSync(path, new Date('2100-01-01T00:00:00Z'), new Date('2100-01-01T00:00:00Z'));
    }],
  ])('breaks %s at the lock path at once, without hanging or reading it whole', async (_name, plant) => {
    const dir = cacheDir();
    const path = join(dir, lockFileName(ID));
    plant(path);
    // The default 15 s heartbeat window: only the check of the file itself can break it this soon.
    const waiter = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_TIMEOUT_MS: '8000', HOLD_MS: '1' });
    const code = await exitWithin(waiter, 20_000);
    expect(code, waiter.stderr()).toBe(0);
    expect(waiter.stdout()).toContain('acquired');
    expect(waiter.stderr()).not.toMatch(/kill -?1\b/);
    expect(lstatSync(path, { throwIfNoEntry: false })).toBeUndefined();
  }, 30_000);

  it('never takes pid 1 for a holder: no `kill 1` in the fix, and the heartbeat window still applies', async () => {
    const dir = cacheDir();
    const path = join(dir, lockFileName(ID));
    writeFileSync(path, staleLockOf(1));
    const impatient = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_TIMEOUT_MS: '1500', HOLD_MS: '1' });
    expect(await exitWithin(impatient, 20_000)).toBe(9);
    expect(impatient.stderr()).toContain(`could not take the token cache lock ${path}: another kube-login still holds it`);
    expect(impatient.stderr()).not.toContain('kill');
    const patient = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_STALE_MS: '1000', LOCK_TIMEOUT_MS: '8000', HOLD_MS: '1' });
    expect(await exitWithin(patient, 20_000), patient.stderr()).toBe(0);
  }, 30_000);

  it('breaks the lock of a holder that has exited but was not reaped yet (a zombie answers kill(pid, 0))', async () => {
    if (process.platform !== 'linux') return;
    // `sleep 0` exits at once; its parent became `sleep 30`, which never reaps it: a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number((await new Promise<Buffer>((resolve) => parent.stdout.once('data', resolve))).toString().trim());
      for (let i = 0; i < 100 && !/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8')); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);
      const dir = cacheDir();
      writeFileSync(join(dir, lockFileName(ID)), staleLockOf(zombie));
      // The default 15 s heartbeat window: only the zombie check can break it this soon.
      const waiter = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_TIMEOUT_MS: '8000', HOLD_MS: '1' });
      expect(await exitWithin(waiter, 20_000), waiter.stderr()).toBe(0);
      expect(waiter.stdout()).toContain('acquired');
    } finally {
      parent.kill('SIGKILL');
    }
  }, 30_000);

  it('breaks the lock of a holder whose pid now names a later process (Linux: the start time differs)', async () => {
    if (process.platform !== 'linux') return;
    const dir = cacheDir();
    const path = join(dir, lockFileName(ID));
    // This test process is alive on this host, but the lock says it started at another time.
    writeFileSync(path, JSON.stringify({ ...JSON.parse(staleLockOf(process.pid)), processStart: '1' }));
    const waiter = startFixture(LOCK_DRIVER, ['hold', dir, ID], { ...process.env, LOCK_TIMEOUT_MS: '8000', HOLD_MS: '1' });
    expect(await exitWithin(waiter, 20_000), waiter.stderr()).toBe(0);
  }, 30_000);
});
