// The disk token store: one 0600 JSON file per key in a 0700 directory, replaced atomically.
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KubeLoginError, describe } from '../errors.js';
import { atomicWriteFile } from '../platform/atomic-write.js';
import type { Logger } from '../platform/logger.js';
import { type EntryFile, entryFileName, parseEntryFile, toEntryFile } from './entry-file.js';
import type { CacheKey } from './key.js';
import { PRIVATE_READ_FLAGS, type PathProblem, cacheDirProblem, entryFileProblem, symlinkProblem } from './private-file-checks.js';
import type { CacheEntrySummary, TokenStore } from './token-store.js';
import type { CachedTokens } from './token-set.js';

/** Creates the cache directory with mode 0700 (tokens are per user; SPECS keep them private). */
export async function ensureCacheDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new KubeLoginError('cache', `create the token cache directory ${dir}`, describe(error), {
      fix: 'check the permissions of the directory, or pass --token-cache-dir',
      cause: error,
    });
  }
}

/** The error for a cache folder or entry that others could have written (no token is read from it). */
export function unsafeCacheError(problem: PathProblem): KubeLoginError {
  return new KubeLoginError('cache', `use the token cache ${problem.path}`, problem.reason, { fix: problem.fix });
}

/** Throws unsafeCacheError when others could write to the cache folder; run before any read from it. */
export async function assertCacheDirSafe(dir: string): Promise<void> {
  let problem: PathProblem | undefined;
  try {
    const stats = await stat(dir).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    });
    problem = stats && cacheDirProblem(dir, stats);
  } catch (error) {
    throw new KubeLoginError('cache', `use the token cache directory ${dir}`, describe(error), { fix: 'check the path, or pass --token-cache-dir', cause: error });
  }
  if (problem) throw unsafeCacheError(problem);
}

/** The text of a private entry file (the async twin of readPrivateFileSync); undefined when there is none. */
async function readPrivateEntry(path: string): Promise<string | undefined> {
  let file;
  try {
    file = await open(path, PRIVATE_READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    const problem = symlinkProblem(path, code);
    if (problem) throw unsafeCacheError(problem);
    throw error;
  }
  try {
    // fstat on the descriptor that is read: no gap between the check and the read.
    const problem = entryFileProblem(path, await file.stat());
    if (problem) throw unsafeCacheError(problem);
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
}

/**
 * Reads and validates an entry file; a missing file is undefined, a corrupt one is reported and
 * undefined. Throws KubeLoginError('cache') when the folder or the file could come from another user.
 */
export async function readEntryFile(dir: string, id: string, logger: Logger): Promise<EntryFile | undefined> {
  await assertCacheDirSafe(dir);
  const path = join(dir, entryFileName(id));
  let text: string;
  try {
    const found = await readPrivateEntry(path);
    if (found === undefined) return undefined;
    text = found;
  } catch (error) {
    if (error instanceof KubeLoginError) throw error;
    logger.warn(`could not read the token cache ${path}: ${describe(error)}; logging in again`);
    return undefined;
  }
  const parsed = parseEntryFile(text);
  if (typeof parsed === 'string') {
    logger.warn(`ignoring the token cache ${path}: ${parsed}; it will be replaced after the next login`);
    return undefined;
  }
  return parsed;
}

/** Writes an entry file atomically with mode 0600. */
export async function writeEntryFile(dir: string, id: string, entry: EntryFile): Promise<void> {
  await ensureCacheDir(dir);
  const path = join(dir, entryFileName(id));
  try {
    await atomicWriteFile(path, JSON.stringify(entry, null, 2) + '\n', 0o600);
  } catch (error) {
    throw new KubeLoginError('cache', `write the token cache ${path}`, describe(error), {
      fix: 'check the permissions of the cache directory, or pass --token-cache-dir',
      cause: error,
    });
  }
}

/** Lists every entry file of the directory (skipping unreadable ones). */
export async function listEntryFiles(dir: string, logger: Logger): Promise<Array<{ id: string; entry: EntryFile }>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new KubeLoginError('cache', `list the token cache ${dir}`, describe(error), { cause: error });
  }
  const found: Array<{ id: string; entry: EntryFile }> = [];
  for (const name of names.sort()) {
    const match = /^([0-9a-f]{64})\.json$/.exec(name);
    if (!match?.[1]) continue;
    const entry = await readEntryFile(dir, match[1], logger);
    if (entry) found.push({ id: match[1], entry });
  }
  return found;
}

/** The summary of an entry, without secrets. */
export function summarize(id: string, entry: EntryFile): CacheEntrySummary {
  return {
    id,
    key: entry.key,
    storage: entry.storage,
    times: entry.times,
    hasRefreshToken: entry.hasRefreshToken,
    updatedAt: entry.updatedAt,
  };
}

/** Removes an entry file; true when one existed. */
export async function removeEntryFile(dir: string, id: string): Promise<boolean> {
  const path = join(dir, entryFileName(id));
  const existed = await stat(path).then(
    () => true,
    () => false,
  );
  await rm(path, { force: true });
  return existed;
}

/** The disk store. */
export class FileTokenStore implements TokenStore {
  readonly kind = 'disk' as const;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async read(key: CacheKey): Promise<CachedTokens | undefined> {
    const entry = await readEntryFile(this.dir, key.id, this.logger);
    if (!entry) return undefined;
    if (entry.storage !== 'disk' || !entry.secrets) {
      this.logger.debug(`the cache entry ${key.id} is kept in the ${entry.storage}, not on disk`);
      return undefined;
    }
    return { ...entry.secrets, ...entry.times };
  }

  async write(key: CacheKey, tokens: CachedTokens): Promise<void> {
    await writeEntryFile(this.dir, key.id, toEntryFile(key.input, tokens, 'disk', this.now()));
  }

  remove(id: string): Promise<boolean> {
    return removeEntryFile(this.dir, id);
  }

  async list(): Promise<CacheEntrySummary[]> {
    return (await listEntryFiles(this.dir, this.logger)).map(({ id, entry }) => summarize(id, entry));
  }
}
