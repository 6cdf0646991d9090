// Builds the real ports of setup: the kubeconfig files, the provider over the shared HTTP client, the
// get-token login and cache, the terminal for the guided mode, and the cluster's /version.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { createDiscoverProvider } from '../apiserver/discovery-source.js';
import type { TokenStore } from '../cache/token-store.js';
import type { CliContext } from '../cli/context.js';
import { loadKubeconfigs, writeKubeconfigChanges } from '../kube/kubeconfig.js';
import { createFetch } from '../oidc/http.js';
import { systemClock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import { readClusterVersion } from '../kube/cluster-version.js';
import { isCompiledExecutable } from '../platform/build-info.js';
import { selfExecCommand } from '../platform/self-command.js';
import { createTerminalPrompter } from '../platform/terminal-prompter.js';
import { obtainTokens } from '../usecases/get-token.js';
import { idTokenOf } from '../usecases/token-result.js';
import { type SetupDeps, type SetupResult, setup } from '../usecases/setup.js';
import type { SetupInput } from '../usecases/setup/setup-input.js';
import { getTokenDeps } from './get-token.js';

/** The dependencies of setup for a real run. */
export function setupDeps(ctx: CliContext, input: SetupInput): SetupDeps {
  const verbose = input.raw.booleans['verbose'] === true;
  const logger = createLogger(ctx.stderr, verbose);
  logger.redactor.add(input.raw.strings['oidc-client-secret']);
  logger.redactor.add(input.raw.strings['password']);
  // Questions only on a terminal (stdin to read, stderr to ask on), and never with --yes.
  const interactive = ctx.stdinIsTTY && ctx.stderrIsTTY && !input.yes;
  return {
    logger,
    stdout: ctx.stdout,
    clock: systemClock,
    env: ctx.env,
    home: homedir(),
    cwd: process.cwd(),
    prompter: interactive ? createTerminalPrompter({ input: process.stdin, output: process.stderr }) : undefined,
    discover: async (issuerUrl, tls) => createDiscoverProvider(await createFetch(tls, ctx.env))(issuerUrl),
    login: async (tokenInput, options) => {
      const deps = await getTokenDeps(ctx, tokenInput);
      // --dry-run writes nothing: the tokens of the test login are not cached.
      const base = deps.store;
      const store: TokenStore = options.dryRun
        ? { kind: base.kind, read: (key) => base.read(key), write: async () => undefined, remove: (id) => base.remove(id), list: () => base.list() }
        : base;
      const { tokens } = await obtainTokens({ ...deps, store }, tokenInput, { forceLogin: true });
      return { idToken: idTokenOf(tokens, 'test the login'), refreshTokenReturned: tokens.refreshToken !== undefined };
    },
    readText: (path) => readFile(path, 'utf8'),
    loadKubeconfigs,
    writeKubeconfigs: (changes) => writeKubeconfigChanges(changes, { now: new Date(systemClock.now()) }),
    clusterVersion: (cluster) => readClusterVersion(cluster),
    execCommand: selfExecCommand({ compiled: isCompiledExecutable(), execPath: process.execPath, path: ctx.env['PATH'], platform: process.platform }),
  };
}

/** Runs setup for real. */
export async function runSetup(ctx: CliContext, input: SetupInput): Promise<SetupResult> {
  return setup(setupDeps(ctx, input), input);
}
