// Checks that a cached token comes from this user: its folder is this user's and nobody else can
// write to it, and the entry is a regular file of this user that nobody else can read or write.
// Without them, another local user could plant a token in a shared folder (`--token-cache-dir
// /tmp/shared`, mode 1777) and have it printed as this user's credential. Shared by the fast path
// (synchronous, Node built-ins only: one stat of the folder, one open + fstat of the file) and the
// full CLI, which turns a problem into an error that names the path and the fix.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { shellQuote } from '../apiserver/shell-quote.js';

/** A path the cache must not be read from, why, and how to fix it. */
export interface PathProblem {
  path: string;
  reason: string;
  fix: string;
}

/** The result of reading a private file: its text, no file, or the problem that forbids reading it. */
export type PrivateRead = { text: string; problem?: undefined } | { text?: undefined; problem: PathProblem } | undefined;

/** The owner and mode of a path, as fstat/stat report them. */
export interface OwnerAndMode {
  uid: number;
  mode: number;
  isDirectory(): boolean;
  isFile(): boolean;
}

/**
 * This user's uid, or undefined on Windows: there `process.getuid` does not exist and files have
 * no POSIX owner or mode; the cache lives in the user's profile folder, which its ACL keeps private,
 * so the ownership and mode checks are skipped there.
 */
export function currentUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

const octal = (mode: number): string => `0${(mode & 0o7777).toString(8)}`;

/** Why the cache folder `dir` with these stats must not be used, or undefined when it may. */
export function cacheDirProblem(dir: string, stats: OwnerAndMode, uid: number | undefined = currentUid()): PathProblem | undefined {
  const q = shellQuote(dir);
  const own = 'or pass --token-cache-dir (or set KUBECACHEDIR) with a folder of your own';
  if (!stats.isDirectory()) return { path: dir, reason: 'the token cache folder is not a directory', fix: `remove it (\`rm ${q}\`), ${own}` };
  if (uid === undefined) return undefined;
  if (stats.uid !== uid) {
    return {
      path: dir,
      reason: `the token cache folder ${dir} belongs to uid ${stats.uid}, not to you (uid ${uid}), so its owner could plant a token in it`,
      fix: `if the folder is yours, run \`chown ${uid} ${q} && chmod 700 ${q}\` (as root); ${own}`,
    };
  }
  if ((stats.mode & 0o022) !== 0) {
    return {
      path: dir,
      reason: `the token cache folder ${dir} has mode ${octal(stats.mode)}, so other users can write to it and plant a token`,
      fix: `run \`chmod 700 ${q}\`, ${own}`,
    };
  }
  return undefined;
}

/** Why the cache entry `path` with these stats must not be read, or undefined when it may. */
export function entryFileProblem(path: string, stats: OwnerAndMode, uid: number | undefined = currentUid()): PathProblem | undefined {
  const q = shellQuote(path);
  const replace = `remove it (\`rm ${q}\`): kube-login writes a new one at the next login`;
  if (!stats.isFile()) return { path, reason: `the token cache entry ${path} is not a regular file`, fix: replace };
  if (uid === undefined) return undefined;
  if (stats.uid !== uid) {
    return { path, reason: `the token cache entry ${path} belongs to uid ${stats.uid}, not to you (uid ${uid}), so it may not hold your token`, fix: replace };
  }
  if ((stats.mode & 0o066) !== 0) {
    return {
      path,
      reason: `the token cache entry ${path} has mode ${octal(stats.mode)}, so other users can read or change it`,
      fix: `run \`chmod 600 ${q}\` if you trust its content; otherwise ${replace}`,
    };
  }
  return undefined;
}

/** Checks the cache folder before anything is read from it; a missing folder has no problem (nothing to read). */
export function checkCacheDirSync(dir: string): PathProblem | undefined {
  const stats = statSync(dir, { throwIfNoEntry: false });
  return stats && cacheDirProblem(dir, stats);
}

/**
 * The open flags for a cache entry. O_NOFOLLOW: a link at the entry's path is refused by open
 * itself, not after a check that a rename could race. O_NONBLOCK: a FIFO planted there cannot block
 * the open. Both are 0 on Windows.
 */
export const PRIVATE_READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** The problem of an entry whose open failed with `code`, when O_NOFOLLOW met a symbolic link (ELOOP; EMLINK on FreeBSD). */
export function symlinkProblem(path: string, code: string | undefined): PathProblem | undefined {
  if ((code !== 'ELOOP' && code !== 'EMLINK') || !lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) return undefined;
  return { path, reason: `the token cache entry ${path} is a symbolic link`, fix: `remove it (\`rm ${shellQuote(path)}\`): kube-login writes a new one at the next login` };
}

/**
 * Reads a cache entry that passes entryFileProblem, judged by fstat on the descriptor that is read
 * (no time-of-check/time-of-use gap). Undefined when there is no file; other read errors throw.
 */
export function readPrivateFileSync(path: string): PrivateRead {
  let fd: number;
  try {
    fd = openSync(path, PRIVATE_READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const problem = symlinkProblem(path, code);
    if (problem) return { problem };
    throw error;
  }
  try {
    const problem = entryFileProblem(path, fstatSync(fd));
    return problem ? { problem } : { text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}
