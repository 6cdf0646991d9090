// The per-key cache lock `<cache-dir>/<id>.lock`: created with O_EXCL, naming its holder, kept fresh
// by mtime heartbeats, broken when its holder died, bounded by a timeout, released on Ctrl-C. On the
// holder's own host and pid namespace its liveness decides, not the heartbeat: a stopped holder
// (SIGSTOP, a closed laptop lid) keeps its lock. Node has no flock/fcntl lock, hence the pid check.
// Identity providers revoke a whole grant when a rotated refresh token is reused (OAuth 2.0 Security
// BCP, RFC 9700 section 4.14.2), so two kube-login processes must never refresh the same key at once
// (int128/kubelogin #389, #694; dex #1976).
import { randomBytes } from 'node:crypto';
import { constants, statSync, unlinkSync } from 'node:fs';
import { type FileHandle, link, lstat, open, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { KubeLoginError, describe } from '../errors.js';
import type { Logger } from '../platform/logger.js';
import { ensureCacheDir } from './file-store.js';
import { isHeldHere, registerHeldLock, unregisterHeldLock } from './lock-signals.js';
import { type LockInfo, adoptHandedOffLock, isProcessExited, newLockInfo, pidNamespace, processStartTicks } from './lock-handoff.js';
import { verifyPrivateDir } from './private-dir.js';
import type { CacheLock, LockHandle } from './token-store.js';
import { terminalLine } from '../platform/terminal-text.js';

export type { LockInfo } from './lock-handoff.js';

/** Longer than the default 180 s login, so that a waiter outlasts a holder's full login. */
export const DEFAULT_LOCK_TIMEOUT_MS = 200_000;
/**
 * A lock whose mtime is older than this has lost its holder (heartbeats come every 2 s), unless the
 * holder is on this host and alive. A mtime further than this in the future is stale too.
 */
export const DEFAULT_STALE_MS = 15_000;
/** Lock files are about 200 bytes; a bigger one is not ours, and is never read whole. */
export const MAX_LOCK_FILE_BYTES = 4_096;
// O_NOFOLLOW: a link is looked at, not followed; O_NONBLOCK: a FIFO at the path cannot block the open.
const LOCK_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** How often a holder touches its lock file. */
export const DEFAULT_HEARTBEAT_MS = 2_000;
/** A breaker's mutex older than this was left by a breaker that died; breaking takes milliseconds. */
const BREAK_MUTEX_STALE_MS = 5_000;

/** Options of the file lock; the defaults suit the CLI, tests shorten them. */
export interface FileLockOptions {
  dir: string;
  logger: Logger;
  /** Total wait before KubeLoginError('lock-timeout'); default 200 s. */
  timeoutMs?: number;
  staleMs?: number;
  heartbeatMs?: number;
  /** Tell the user what we wait for after this long; default 1 s. */
  noticeAfterMs?: number;
  pollMinMs?: number;
  pollMaxMs?: number;
  hostname?: string;
}

/** A held lock: release it in a `finally`; say what you are doing so that waiters can tell the user. */
export interface FileLockHandle extends LockHandle {
  readonly path: string;
  /** Rewrites the purpose in the lock file, e.g. `logging in`. */
  setPurpose(purpose: string): Promise<void>;
}

/** The lock file name of a cache key. */
export function lockFileName(id: string): string {
  return `${id}.lock`;
}

/**
 * Every string read from a lock file (host, purpose, start time) reaches the terminal through here,
 * the one place to filter what another process wrote (issue 9, item 5).
 */
export function lockFileText(value: string): string {
  return terminalLine(value);
}

/** Parses lock file text; undefined when it is empty (being written) or not ours (pid 0, 1 or negative included). */
export function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    // kill(0) and kill(-1) address process groups and every process, pid 1 is init: never a holder.
    if (!Number.isInteger(data['pid']) || (data['pid'] as number) <= 1 || typeof data['host'] !== 'string') return undefined;
    return {
      pid: data['pid'] as number,
      host: data['host'],
      startedAt: typeof data['startedAt'] === 'string' ? data['startedAt'] : '',
      purpose: typeof data['purpose'] === 'string' ? data['purpose'] : '',
      ...(typeof data['pidNamespace'] === 'string' ? { pidNamespace: data['pidNamespace'] } : {}),
      ...(typeof data['processStart'] === 'string' ? { processStart: data['processStart'] } : {}),
    };
  } catch {
    return undefined;
  }
}

/** True unless the pid certainly names no process (ESRCH). EPERM means it exists as another user's. */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** What a look at an existing lock found. */
export interface LockState {
  info: LockInfo | undefined;
  ino: bigint;
  dev: bigint;
  mtimeMs: number;
  /** Why the lock is stale, or undefined while its holder is alive. */
  stale: string | undefined;
}

/**
 * True while the process a lock names on this host is alive and is still that process: where the
 * lock records its start time (Linux), a later process given the same pid does not count.
 */
export function isHolderAlive(info: LockInfo): boolean {
  if (!isProcessAlive(info.pid) || isProcessExited(info.pid)) return false;
  if (info.processStart === undefined) return true;
  const start = processStartTicks(info.pid);
  return start === undefined || start === info.processStart;
}

/** True when the lock's pid can be checked from here: same host and same pid namespace. */
function isLocalHolder(info: LockInfo | undefined, host: string): info is LockInfo {
  return info !== undefined && info.host === host && info.pidNamespace === pidNamespace() && info.pid !== process.pid;
}

/** Looks at the lock at `path`; undefined when there is none. Never blocks, never reads more than MAX_LOCK_FILE_BYTES. */
export async function inspectLock(path: string, staleMs: number, host: string, nowMs: number = Date.now()): Promise<LockState | undefined> {
  let info: LockInfo | undefined;
  let notALock: string | undefined;
  let stats;
  let file: FileHandle | undefined;
  try {
    // One descriptor for both, so that the holder we read is the holder of the inode we saw.
    file = await open(path, LOCK_READ_FLAGS);
    stats = await file.stat({ bigint: true });
    if (!stats.isFile()) notALock = 'it is not a regular file';
    else if (stats.size > MAX_LOCK_FILE_BYTES) notALock = `it is ${stats.size} bytes, not a lock file (at most ${MAX_LOCK_FILE_BYTES})`;
    else {
      const buffer = Buffer.alloc(MAX_LOCK_FILE_BYTES);
      const { bytesRead } = await file.read(buffer, 0, MAX_LOCK_FILE_BYTES, 0);
      info = parseLockInfo(buffer.toString('utf8', 0, bytesRead));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // ELOOP (Linux, macOS) or EMLINK (FreeBSD): O_NOFOLLOW met a symbolic link.
    if (code !== 'ELOOP' && code !== 'EMLINK') throw error;
    stats = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!stats) return undefined;
    notALock = 'it is a symbolic link, not a lock file';
  } finally {
    await file?.close();
  }
  const mtimeMs = Number(stats.mtimeMs);
  let stale: string | undefined;
  if (notALock) {
    stale = notALock;
  } else if (isLocalHolder(info, host)) {
    // The pid says something only on this machine and in this pid namespace (containers share hosts).
    // A live holder keeps its lock however long since its last heartbeat (it may be stopped).
    if (!isHolderAlive(info)) stale = `its holder (pid ${info.pid}) has exited`;
  } else if (mtimeMs - nowMs > staleMs) {
    stale = 'its time is in the future, so its heartbeat cannot be judged';
  } else if (nowMs - mtimeMs > staleMs) {
    stale = `its holder stopped updating it ${Math.round((nowMs - mtimeMs) / 1000)} s ago`;
  }
  return { info, ino: stats.ino, dev: stats.dev, mtimeMs, stale };
}

/** How a waiter names the holder: `pid 123` or `pid 123 on host-b`. */
function holderName(info: LockInfo | undefined, host: string): string {
  if (!info) return 'another kube-login';
  return `another kube-login (pid ${info.pid}${info.host === host ? '' : ` on ${lockFileText(info.host)}`})`;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

const isCode = (error: unknown, ...codes: string[]): boolean => codes.includes((error as NodeJS.ErrnoException).code ?? '');

/** The per-key file lock of one cache directory. */
export class FileCacheLock implements CacheLock {
  readonly #dir: string;
  readonly #logger: Logger;
  readonly #timeoutMs: number;
  readonly #staleMs: number;
  readonly #heartbeatMs: number;
  readonly #noticeAfterMs: number;
  readonly #pollMinMs: number;
  readonly #pollMaxMs: number;
  readonly #host: string;

  constructor(options: FileLockOptions) {
    this.#dir = options.dir;
    this.#logger = options.logger;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.#staleMs = options.staleMs ?? DEFAULT_STALE_MS;
    this.#heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#noticeAfterMs = options.noticeAfterMs ?? 1_000;
    this.#pollMinMs = options.pollMinMs ?? 25;
    this.#pollMaxMs = options.pollMaxMs ?? 250;
    this.#host = options.hostname ?? osHostname();
  }

  /** Waits for the lock of `id` (polling 25 ms backing off to 250 ms); throws 'lock-timeout' or 'cache'. */
  async acquire(id: string, purpose: string = 'refreshing the token or logging in'): Promise<FileLockHandle> {
    await ensureCacheDir(this.#dir);
    await verifyPrivateDir(this.#dir);
    const path = join(this.#dir, lockFileName(id));
    if (isHeldHere(path)) {
      throw new KubeLoginError('internal', `take the token cache lock ${path}`, 'this process already holds it', {
        fix: 'this is a bug in kube-login; run again with -v and report the output',
      });
    }
    // The fast path of this process may have taken the lock already (src/cache/lock-handoff.ts).
    const adopted = adoptHandedOffLock(path);
    if (adopted) {
      const handle = new HeldLock(path, adopted.info, adopted.ino, adopted.dev, this.#heartbeatMs, this.#logger);
      await handle.setPurpose(purpose);
      return handle;
    }
    const started = Date.now();
    let delay = this.#pollMinMs;
    let told: string | undefined;
    for (;;) {
      const handle = await this.#tryCreate(path, purpose);
      if (handle) {
        if (told !== undefined) this.#logger.debug(`took the lock ${path} after ${Date.now() - started} ms`);
        return handle;
      }
      let state: LockState | undefined;
      try {
        state = await inspectLock(path, this.#staleMs, this.#host);
      } catch (error) {
        throw this.#fsError(`read the token cache lock ${path}`, error);
      }
      if (!state) continue; // released between our create and our look: try again at once
      if (state.stale) {
        await this.#breakStale(path, state);
        continue;
      }
      const waited = Date.now() - started;
      if (waited >= this.#timeoutMs) throw this.#timeoutError(path, state.info, waited);
      // Say what we wait for once, and again if the holder's purpose changes (checking → logging in).
      const purposeNow = state.info?.purpose ? lockFileText(state.info.purpose) : 'holding the token cache lock';
      if (waited >= this.#noticeAfterMs && (state.info || waited >= this.#noticeAfterMs * 3) && told !== purposeNow) {
        this.#logger.info(`kube-login: waiting for ${holderName(state.info, this.#host)} that is ${purposeNow}…`);
        this.#logger.debug(`the lock file is ${path}`);
        told = purposeNow;
      }
      const jitter = Math.random() * delay * 0.3;
      await sleep(Math.min(delay + jitter, Math.max(1, this.#timeoutMs - waited)));
      delay = Math.min(delay * 1.5, this.#pollMaxMs);
    }
  }

  /** Creates the lock file with O_EXCL; undefined when it exists. */
  async #tryCreate(path: string, purpose: string): Promise<FileLockHandle | undefined> {
    let file: FileHandle;
    try {
      file = await open(path, 'wx', 0o600);
    } catch (error) {
      if (isCode(error, 'EEXIST')) return undefined;
      if (isCode(error, 'ENOENT')) {
        // The directory was removed (e.g. by `kube-login clean`) while we waited.
        await ensureCacheDir(this.#dir);
        return undefined;
      }
      throw this.#fsError(`create the token cache lock ${path}`, error);
    }
    const info = newLockInfo(purpose, this.#host);
    let ino: bigint;
    let dev: bigint;
    try {
      await file.writeFile(JSON.stringify(info) + '\n');
      const stats = await file.stat({ bigint: true });
      ino = stats.ino;
      dev = stats.dev;
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(path, { force: true });
      throw this.#fsError(`write the token cache lock ${path}`, error);
    }
    await file.close();
    return new HeldLock(path, info, ino, dev, this.#heartbeatMs, this.#logger);
  }

  /**
   * Breaks a stale lock so that two breakers cannot both win: breakers take `<lock>.break` with
   * O_EXCL, check again that the lock is the same stale file (inode), move it aside with rename and
   * delete it. A new lock that appeared in between is put back with link (which never overwrites).
   */
  async #breakStale(path: string, seen: LockState): Promise<void> {
    const mutexPath = `${path}.break`;
    let mutex: FileHandle;
    try {
      mutex = await open(mutexPath, 'wx', 0o600);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw this.#fsError(`break the stale token cache lock ${path}`, error);
      const info = await stat(mutexPath).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > BREAK_MUTEX_STALE_MS) await rm(mutexPath, { force: true });
      else await sleep(this.#pollMinMs);
      return;
    }
    const mutexIno = (await mutex.stat({ bigint: true })).ino;
    await mutex.close();
    try {
      const now = await inspectLock(path, this.#staleMs, this.#host);
      if (!now || now.ino !== seen.ino || now.dev !== seen.dev || !now.stale) return;
      const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await rename(path, aside);
      } catch (error) {
        if (isCode(error, 'ENOENT')) return;
        throw error;
      }
      const moved = await lstat(aside, { bigint: true });
      if (moved.ino !== seen.ino || moved.dev !== seen.dev) await link(aside, path).catch(() => undefined);
      else this.#logger.debug(`broke the stale lock ${path}: ${now.stale}`);
      await rm(aside, { force: true });
    } catch (error) {
      throw this.#fsError(`break the stale token cache lock ${path}`, error);
    } finally {
      const current = await stat(mutexPath, { bigint: true }).catch(() => undefined);
      if (current?.ino === mutexIno) await rm(mutexPath, { force: true });
    }
  }

  #timeoutError(path: string, info: LockInfo | undefined, waitedMs: number): KubeLoginError {
    const seconds = Math.round(waitedMs / 1000);
    const host = info && lockFileText(info.host);
    const holder = info
      ? `another kube-login (pid ${info.pid} on ${host}, ${lockFileText(info.purpose) || 'holding it'} since ${lockFileText(info.startedAt) || 'an unknown time'}) still holds it after ${seconds} s`
      : `another kube-login still holds it after ${seconds} s`;
    // Suggest kill only for a pid above 1 that the lock names and that is alive here (parseLockInfo, isHolderAlive).
    let stop = '';
    if (isLocalHolder(info, this.#host) && isHolderAlive(info)) stop = `if that process is stuck, stop it (\`kill ${info.pid}\` on ${host}); `;
    else if (info && info.host !== this.#host) stop = `if the kube-login on ${host} is stuck, stop it there; `;
    return new KubeLoginError('lock-timeout', `take the token cache lock ${path}`, holder, {
      fix: `${stop}if no kube-login is running, delete ${path}`,
    });
  }

  #fsError(action: string, error: unknown): KubeLoginError {
    if (error instanceof KubeLoginError) return error;
    return new KubeLoginError('cache', action, describe(error), {
      fix: 'check the permissions of the cache directory, or pass --token-cache-dir',
      cause: error,
    });
  }
}

/** A lock this process holds. */
class HeldLock implements FileLockHandle {
  readonly path: string;
  readonly #info: LockInfo;
  readonly #ino: bigint;
  readonly #dev: bigint;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  #released = false;

  constructor(path: string, info: LockInfo, ino: bigint, dev: bigint, heartbeatMs: number, logger: Logger) {
    this.path = path;
    this.#info = info;
    this.#ino = ino;
    this.#dev = dev;
    this.#logger = logger;
    // unref: a heartbeat never keeps the process alive on its own.
    this.#timer = setInterval(() => void this.#heartbeat(), heartbeatMs).unref();
    registerHeldLock(path, () => this.#releaseSync());
  }

  async setPurpose(purpose: string): Promise<void> {
    if (this.#released) return;
    this.#info.purpose = purpose;
    let file: FileHandle | undefined;
    try {
      file = await open(this.path, 'r+');
      const stats = await file.stat({ bigint: true });
      if (stats.ino !== this.#ino || stats.dev !== this.#dev) return;
      const text = JSON.stringify(this.#info) + '\n';
      await file.truncate(0);
      await file.write(text, 0, 'utf8');
    } catch (error) {
      this.#logger.debug(`could not update the lock ${this.path}: ${describe(error)}`);
    } finally {
      await file?.close();
    }
  }

  async release(): Promise<void> {
    this.#releaseSync();
  }

  /** True while the file at our path is still the one we created. */
  #isOurs(): boolean {
    try {
      const stats = statSync(this.path, { bigint: true });
      return stats.ino === this.#ino && stats.dev === this.#dev;
    } catch {
      return false;
    }
  }

  #releaseSync(): void {
    if (this.#released) return;
    this.#released = true;
    clearInterval(this.#timer);
    unregisterHeldLock(this.path);
    // Synchronous on purpose: it also runs from signal and exit handlers.
    try {
      if (this.#isOurs()) unlinkSync(this.path);
    } catch (error) {
      this.#logger.debug(`could not remove the lock ${this.path}: ${describe(error)}`);
    }
  }

  async #heartbeat(): Promise<void> {
    if (this.#released) return;
    if (!this.#isOurs()) {
      clearInterval(this.#timer);
      this.#logger.warn(`the token cache lock ${this.path} was removed by another process while this one held it`);
      return;
    }
    const now = new Date();
    await utimes(this.path, now, now).catch((error: unknown) => this.#logger.debug(`could not touch the lock ${this.path}: ${describe(error)}`));
  }
}
