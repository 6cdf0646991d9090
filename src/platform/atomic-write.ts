// Atomic file replacement: readers see the old file or the new one, never a partial write.
import { randomBytes } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of atomicWriteFile. */
export interface AtomicWriteFileOptions {
  /** Give the new file this owner (only root can, e.g. when sudo rewrites a user's kubeconfig). */
  owner?: { uid: number; gid: number };
}

/**
 * Writes `data` to a temporary file beside `path` (created with `mode`), fsyncs it, renames it over
 * `path`, then fsyncs the directory so that the rename survives a crash. The temporary file is
 * removed on any failure, and `path` is then untouched.
 */
export async function atomicWriteFile(path: string, data: string | Uint8Array, mode: number, options: AtomicWriteFileOptions = {}): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    // The mode argument of open() is filtered by the umask; set it exactly.
    await handle.chmod(mode);
    if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

// fsync of the directory makes the rename durable; Windows cannot open a directory, so skip there.
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename itself has already happened.
  } finally {
    await handle?.close();
  }
}
