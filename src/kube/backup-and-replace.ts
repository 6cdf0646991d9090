// Replaces a file atomically (temp file in the same directory, fsync, rename) after a timestamped backup.
import { constants } from 'node:fs';
import { type FileHandle, access, lstat, mkdir, open, readFile, readlink, realpath, stat, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { KubeLoginError, describe } from '../errors.js';
import { atomicWriteFile } from '../platform/atomic-write.js';
import { errnoCode } from './kubeconfig-load.js';

/** Options of writeFileAtomic. */
export interface AtomicWriteOptions {
  /** The time used in the backup name. */
  readonly now: Date;
  /** Permission bits for a new file (default 0600); an existing file keeps its own. */
  readonly newFileMode?: number;
  /** Copy the existing file to `<file>.kube-login-backup-<YYYYMMDDTHHMMSSZ>` first (default true). */
  readonly backup?: boolean;
  /** The text the caller read: if the file now holds something else, nothing is written. */
  readonly expectedText?: string | undefined;
  /** Words for error messages, e.g. "kubeconfig". */
  readonly what?: string;
}

/** What writeFileAtomic did. */
export interface AtomicWriteResult {
  /** The file that was replaced (a symlink is followed, so this is its target). */
  readonly path: string;
  readonly created: boolean;
  readonly mode: number;
  readonly backupPath: string | undefined;
}

/** `YYYYMMDDTHHMMSSZ` in UTC, the suffix of backup files. */
export function backupTimestamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The backup name for a file at a time (before any `-2` added to avoid a clash). */
export function backupPathFor(path: string, now: Date): string {
  return `${path}.kube-login-backup-${backupTimestamp(now)}`;
}

/** Resolves symlinks: we replace the link's target, not the link (renaming over it would break it). */
export async function resolveWritePath(path: string): Promise<string> {
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return path;
    throw error;
  }
  if (!info.isSymbolicLink()) return path;
  try {
    return await realpath(path);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
    return resolve(dirname(path), await readlink(path));
  }
}

/**
 * Checks, without writing anything, that `path` can be replaced: the file and its directory must be
 * writable. Root bypasses permission bits, so a file or directory with no write bit at all is treated
 * as read-only on purpose: somebody made it so, and a rename would silently defeat that.
 */
export async function checkWritable(path: string, what = 'file'): Promise<void> {
  const target = await resolveWritePath(path).catch((error: unknown) => {
    throw writeError(path, what, error);
  });
  const dir = dirname(target);
  try {
    const info = await stat(target);
    if (!info.isFile()) throw new KubeLoginError('kubeconfig', `write the ${what} ${path}`, 'it is not a regular file');
    if ((info.mode & 0o222) === 0) throw readOnlyFile(path, what, info.mode);
    await access(target, constants.W_OK);
  } catch (error) {
    if (error instanceof KubeLoginError) throw error;
    if (errnoCode(error) !== 'ENOENT') throw writeError(path, what, error);
  }
  const existingDir = await nearestExistingDir(dir);
  try {
    const info = await stat(existingDir);
    if ((info.mode & 0o222) === 0) throw readOnlyDir(path, what, existingDir, info.mode);
    await access(existingDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof KubeLoginError) throw error;
    throw writeError(path, what, error, existingDir);
  }
}

async function nearestExistingDir(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      await stat(current);
      return current;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** Writes `text` to `path` atomically; on any failure the original file is left exactly as it was. */
export async function writeFileAtomic(path: string, text: string, options: AtomicWriteOptions): Promise<AtomicWriteResult> {
  const what = options.what ?? 'file';
  await checkWritable(path, what);
  const target = await resolveWritePath(path);
  const dir = dirname(target);
  let original: { bytes: Buffer; mode: number; uid: number; gid: number } | undefined;
  try {
    const info = await stat(target);
    original = { bytes: await readFile(target), mode: info.mode & 0o7777, uid: info.uid, gid: info.gid };
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw writeError(path, what, error);
  }
  if (options.expectedText !== undefined && (original?.bytes.toString('utf8') ?? '') !== options.expectedText) {
    throw new KubeLoginError('kubeconfig', `write the ${what} ${path}`, 'the file changed while kube-login was running', {
      fix: 'nothing was written; run the command again',
    });
  }
  const mode = original?.mode ?? options.newFileMode ?? 0o600;
  if (original === undefined) {
    await mkdir(dir, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw writeError(path, what, error, dir);
    });
  }
  let backupPath: string | undefined;
  try {
    if (original !== undefined && options.backup !== false) {
      backupPath = await writeBackup(target, original.bytes, original.mode, options.now);
    }
    await atomicWriteFile(target, text, mode, { ...ownerToKeep(original) });
  } catch (error) {
    if (backupPath !== undefined) await unlink(backupPath).catch(() => undefined);
    throw error instanceof KubeLoginError ? error : writeError(path, what, error, dir);
  }
  return { path: target, created: original === undefined, mode, backupPath };
}

async function writeBackup(target: string, bytes: Buffer, mode: number, now: Date): Promise<string> {
  const base = backupPathFor(target, now);
  for (let attempt = 1; ; attempt += 1) {
    const candidate = attempt === 1 ? base : `${base}-${attempt}`;
    let handle: FileHandle;
    try {
      // The backup holds the same secrets as the original: same mode, never group/world-writable.
      handle = await open(candidate, 'wx', mode & 0o644);
    } catch (error) {
      if (errnoCode(error) === 'EEXIST' && attempt < 100) continue;
      throw error;
    }
    try {
      await handle.writeFile(bytes);
      await handle.chmod(mode & 0o644);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return candidate;
  }
}

// When root (e.g. under sudo) rewrites somebody's kubeconfig, the file must stay theirs.
function ownerToKeep(original: { uid: number; gid: number } | undefined): { owner?: { uid: number; gid: number } } {
  if (original === undefined || typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  return { owner: { uid: original.uid, gid: original.gid } };
}

function readOnlyFile(path: string, what: string, mode: number): KubeLoginError {
  return new KubeLoginError('kubeconfig', `write the ${what} ${path}`, `the file is read-only (mode ${octal(mode)})`, {
    fix: `nothing was changed; make it writable (chmod u+w ${path}) or pass --kubeconfig to write another file`,
  });
}

function readOnlyDir(path: string, what: string, dir: string, mode: number): KubeLoginError {
  return new KubeLoginError('kubeconfig', `write the ${what} ${path}`, `its directory ${dir} is read-only (mode ${octal(mode)})`, {
    fix: `nothing was changed; kube-login replaces the file through a temporary file in that directory, so make it writable (chmod u+w ${dir}) or pass --kubeconfig to write another file`,
  });
}

function writeError(path: string, what: string, error: unknown, dir?: string): KubeLoginError {
  const code = errnoCode(error);
  const place = dir ?? dirname(path);
  const fixes: Record<string, string> = {
    EACCES: `nothing was changed; check the permissions of ${path} and ${place}, or pass --kubeconfig to write another file`,
    EPERM: `nothing was changed; check the permissions of ${path} and ${place}, or pass --kubeconfig to write another file`,
    EROFS: `nothing was changed; ${place} is on a read-only file system: pass --kubeconfig to write a file elsewhere`,
    ENOSPC: 'nothing was changed; free some disk space and run the command again',
    ENOTDIR: `nothing was changed; a part of ${place} is not a directory`,
  };
  return new KubeLoginError('kubeconfig', `write the ${what} ${path}`, describe(error), {
    cause: error,
    fix: (code !== undefined ? fixes[code] : undefined) ?? 'nothing was changed; check the path and run the command again',
  });
}

function octal(mode: number): string {
  return '0' + (mode & 0o777).toString(8).padStart(3, '0');
}
