// The cache-hit fast path, bundled into dist/fast-hit.cjs: kubectl runs us on every command, so
// when a fresh token is cached we answer from one small CommonJS file with no OIDC, HTTP or CLI
// library loaded. On anything else (a miss, an unusual command line, any doubt) we load the full CLI,
// which repeats the checks and reports problems properly.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { entryFileName, parseEntryFile } from '../cache/entry-file.js';
import { bearerToken, freshUntil, isFresh } from '../cache/expiry.js';
import { cacheKey } from '../cache/key.js';
import { parseGetTokenArgv } from '../cli/options/parse-argv.js';
import { cacheKeyInputOf, toGetTokenInput } from '../cli/options/get-token-input.js';
import { encodeExecCredential } from '../kube/exec-credential.js';
import { parseExecInfo } from '../kube/exec-info.js';
import { readKeychainSecrets } from './keychain-read.js';

/** The ExecCredential text for a cache hit, or undefined when the full CLI must run. */
export function answerFromCache(argv: readonly string[], env: NodeJS.ProcessEnv, nowMs: number): string | undefined {
  if (argv[0] !== 'get-token') return undefined;
  const raw = parseGetTokenArgv(argv.slice(1));
  if (!raw) return undefined;
  try {
    const input = toGetTokenInput(raw, env, homedir());
    if (input.forceRefresh || input.storage === 'none') return undefined;
    const execInfo = parseExecInfo(env['KUBERNETES_EXEC_INFO']);
    const key = cacheKey(cacheKeyInputOf(input));
    const entry = parseEntryFile(readFileSync(join(input.cacheDir, entryFileName(key.id)), 'utf8'));
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

/** Entry point used by bin/kube-login.js. */
export function run(): void {
  const argv = process.argv.slice(2);
  const answer = answerFromCache(argv, process.env, Date.now());
  if (answer !== undefined) {
    process.stdout.write(answer);
    return;
  }
  // Kept as a runtime-computed URL so that esbuild leaves the full CLI out of this bundle.
  const mainUrl = pathToFileURL(join(__dirname, 'main.js')).href;
  import(mainUrl).then(
    (module: { main: (args: readonly string[]) => Promise<void> }) => module.main(argv),
    (error: unknown) => {
      process.stderr.write(`kube-login: could not start: ${String(error)}\n  fix: reinstall kube-login (the dist/ folder is incomplete)\n`);
      process.exitCode = 70;
    },
  );
}
