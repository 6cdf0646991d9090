// The cache-hit fast path, bundled into dist/fast-hit.cjs: kubectl runs us on every command, so
// when a fresh token is cached we answer from one small CommonJS file with no OIDC, HTTP or CLI
// library loaded. On anything else (a miss, an unusual command line, any doubt) we load the full CLI,
// which repeats the checks and reports problems properly.
import { existsSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { entryFileName, parseEntryFile } from '../cache/entry-file.js';
import { bearerToken, freshUntil, isFresh } from '../cache/expiry.js';
import { type CacheKey, cacheKey } from '../cache/key.js';
import { handOffLock, tryCreateLockSync } from '../cache/lock-handoff.js';
import { checkCacheDirSync, readPrivateFileSync } from '../cache/private-file-checks.js';
import { parseGetTokenArgv } from '../config/parse-argv.js';
import { type GetTokenInput, cacheKeyInputOf, toGetTokenInput } from '../config/get-token-input.js';
import { encodeExecCredential } from '../kube/exec-credential.js';
import { type ExecInfo, parseExecInfo } from '../kube/exec-info.js';
import { readKeychainSecrets } from './keychain-read.js';

/** How long a process waits, cheaply, for another one that is refreshing the same key. */
const WAIT_FOR_HOLDER_MS = 1_000;

interface FastRequest {
  input: GetTokenInput;
  execInfo: ExecInfo;
  key: CacheKey;
}

/** The get-token request the fast path can serve, or undefined when the full CLI must decide. */
function fastRequest(argv: readonly string[], env: NodeJS.ProcessEnv): FastRequest | undefined {
  if (argv[0] !== 'get-token') return undefined;
  const raw = parseGetTokenArgv(argv.slice(1));
  if (!raw) return undefined;
  try {
    const input = toGetTokenInput(raw, env, homedir());
    if (input.forceRefresh || input.storage === 'none') return undefined;
    // A folder that others could write to is reported by the full CLI (src/cache/private-file-checks.ts).
    if (checkCacheDirSync(input.cacheDir)) return undefined;
    return { input, execInfo: parseExecInfo(env['KUBERNETES_EXEC_INFO']), key: cacheKey(cacheKeyInputOf(input)) };
  } catch {
    return undefined;
  }
}

function answer({ input, execInfo, key }: FastRequest, nowMs: number): string | undefined {
  try {
    const file = readPrivateFileSync(join(input.cacheDir, entryFileName(key.id)));
    if (file?.text === undefined) return undefined;
    const entry = parseEntryFile(file.text);
    if (typeof entry === 'string') return undefined;
    if (input.storage !== 'auto' && entry.storage !== input.storage) return undefined;
    // Decide from the non-secret metadata before touching a keychain.
    if (!isFresh(entry.times, input.useAccessToken, nowMs)) return undefined;
    const secrets = entry.storage === 'disk' ? entry.secrets : readKeychainSecrets(key.id, entry);
    const token = secrets && bearerToken(secrets, input.useAccessToken);
    if (!token) return undefined;
    return encodeExecCredential(execInfo.apiVersion, token, freshUntil(entry.times, input.useAccessToken));
  } catch {
    return undefined;
  }
}

/** The ExecCredential text for a cache hit, or undefined when the full CLI must run. */
export function answerFromCache(argv: readonly string[], env: NodeJS.ProcessEnv, nowMs: number): string | undefined {
  const request = fastRequest(argv, env);
  return request && answer(request, nowMs);
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * On a miss: take the key's lock and hand it to the full CLI (which refreshes or logs in), or, when
 * another process holds it, wait up to a second for that process to write the cache and answer
 * from it. Past that, the full CLI waits with a message saying what for (src/cache/file-lock.ts).
 */
function takeLockOrWait(request: FastRequest): string | undefined {
  if (!existsSync(request.input.cacheDir)) return undefined;
  const lockPath = join(request.input.cacheDir, `${request.key.id}.lock`);
  const deadline = Date.now() + WAIT_FOR_HOLDER_MS;
  let lock = tryCreateLockSync(lockPath, 'refreshing the token or logging in');
  while (!lock) {
    if (Date.now() >= deadline) return undefined;
    sleepSync(25);
    const text = answer(request, Date.now());
    if (text !== undefined) return text;
    lock = tryCreateLockSync(lockPath, 'refreshing the token or logging in');
  }
  handOffLock(lock);
  return undefined;
}

/**
 * Writes to fd 1 directly: touching process.stdout builds a stream (for kubectl's pipe a net.Socket,
 * with the net and stream modules behind it), a few milliseconds of a 20 ms run. A short write to
 * a full non-blocking pipe can fail with EAGAIN; the stream then takes over for the rest.
 */
function writeStdout(text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch {
    process.stdout.write(bytes.subarray(written));
  }
}

/** The full CLI's entry module. */
export interface MainModule {
  main: (args: readonly string[]) => Promise<void>;
}

/** Loads dist/main.js beside this bundle; a runtime-computed URL, so esbuild leaves it out. */
const loadBuiltMain = (): Promise<MainModule> => import(pathToFileURL(join(__dirname, 'main.js')).href) as Promise<MainModule>;

/** Entry point used by bin/kube-login.js, and by the compiled executable with its bundled main (src/executable.ts). */
export function run(loadMain: () => Promise<MainModule> = loadBuiltMain): void {
  const argv = process.argv.slice(2);
  const request = fastRequest(argv, process.env);
  const text = request && (answer(request, Date.now()) ?? takeLockOrWait(request));
  if (text !== undefined) {
    writeStdout(text);
    return;
  }
  loadMain().then(
    (module) => module.main(argv),
    (error: unknown) => {
      process.stderr.write(`kube-login: could not start: ${String(error)}\n  fix: reinstall kube-login (its files are incomplete or damaged)\n`);
      process.exitCode = 70;
    },
  );
}
