// The lock hand-off between the cache-hit fast path and the full CLI. When the cached token is stale,
// the fast path takes the key's lock itself (O_EXCL, in the format of file-lock.ts) before loading
// the full CLI, so that in a burst of parallel kubectl calls exactly one process loads the OIDC code
// and the others wait cheaply and answer from the refreshed cache (docs/benchmarks.md).
import { closeSync, fstatSync, openSync, readFileSync, readlinkSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

/** What a lock file holds: who holds it, since when, and what it is doing. */
export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  purpose: string;
  /** Linux: the holder's pid namespace; its pid can be checked only from the same namespace. */
  pidNamespace?: string;
  /** Linux: the holder's start time (processStartTicks), which tells it from a later process given the same pid. */
  processStart?: string;
}

/** A lock file this process created, identified by inode so that a replaced file is never ours. */
export interface CreatedLock {
  path: string;
  info: LockInfo;
  ino: bigint;
  dev: bigint;
}

let ownNamespace: string | null | undefined;
/** This process's pid namespace on Linux (`pid:[4026531836]`), undefined elsewhere. */
export function pidNamespace(): string | undefined {
  if (ownNamespace === undefined) {
    try {
      ownNamespace = process.platform === 'linux' ? readlinkSync('/proc/self/ns/pid') : null;
    } catch {
      ownNamespace = null;
    }
  }
  return ownNamespace ?? undefined;
}

/** Linux: fields 3 on of /proc/<pid>/stat (proc(5)); the command name in parentheses may hold spaces. */
function procStatFields(pid: number | 'self'): string[] | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Linux: when process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat, proc(5)).
 * A pid is reused after its process exits; the pair (pid, start) names one process. Undefined elsewhere.
 */
export function processStartTicks(pid: number | 'self'): string | undefined {
  const start = procStatFields(pid)?.[19];
  return start && /^\d+$/.test(start) ? start : undefined;
}

/**
 * Linux: true when `pid` has exited and only waits for its parent to reap it (state Z or X, proc(5)).
 * kill(pid, 0) still succeeds on such a zombie, which can never release its lock.
 */
export function isProcessExited(pid: number): boolean {
  const state = procStatFields(pid)?.[0];
  return state === 'Z' || state === 'X';
}

/** The lock file content for this process. */
export function newLockInfo(purpose: string, host: string = hostname()): LockInfo {
  const namespace = pidNamespace();
  const start = processStartTicks('self');
  return {
    pid: process.pid,
    host,
    startedAt: new Date().toISOString(),
    purpose,
    ...(namespace ? { pidNamespace: namespace } : {}),
    ...(start ? { processStart: start } : {}),
  };
}

/** True while the file at the lock's path is still the one we created. */
export function isStillOurs(lock: CreatedLock): boolean {
  try {
    const stats = statSync(lock.path, { bigint: true });
    return stats.ino === lock.ino && stats.dev === lock.dev;
  } catch {
    return false;
  }
}

/** Creates the lock file with O_EXCL; undefined when it exists (or anything else went wrong). */
export function tryCreateLockSync(path: string, purpose: string): CreatedLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch {
    return undefined;
  }
  try {
    const info = newLockInfo(purpose);
    writeSync(fd, JSON.stringify(info) + '\n');
    const stats = fstatSync(fd, { bigint: true });
    return { path, info, ino: stats.ino, dev: stats.dev };
  } catch {
    try {
      unlinkSync(path);
    } catch {
      // Nothing more to do: the next kube-login sees a holder that has exited.
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

const HANDOFF = Symbol.for('kube-login.lock-handoff');
type Holder = { [HANDOFF]?: CreatedLock };

/** Leaves a lock for the full CLI of this process to adopt; removed at exit if it never does. */
export function handOffLock(lock: CreatedLock): void {
  (globalThis as Holder)[HANDOFF] = lock;
  process.once('exit', () => {
    if ((globalThis as Holder)[HANDOFF] === lock && isStillOurs(lock)) unlinkSync(lock.path);
  });
}

/** Takes over the lock the fast path created at `path`, if it did and the file is still ours. */
export function adoptHandedOffLock(path: string): CreatedLock | undefined {
  const lock = (globalThis as Holder)[HANDOFF];
  if (!lock || lock.path !== path) return undefined;
  delete (globalThis as Holder)[HANDOFF];
  return isStillOurs(lock) ? lock : undefined;
}
