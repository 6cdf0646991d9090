// Builds the real ports of get-token: token store, lock, clock, logger, provider and login.
import { type ExecInfo, parseExecInfo } from '../kube/exec-info.js';
import type { CliContext } from '../cli/context.js';
import { GET_TOKEN_FLAGS } from '../config/get-token-flags.js';
import type { GetTokenInput } from '../config/get-token-input.js';
import { FileCacheLock } from '../cache/file-lock.js';
import { selectTokenStore } from '../cache/select-store.js';
import { readPendingLogin } from '../cache/pending-login.js';
import { createBrowser } from '../oidc/browser.js';
import { createFetch } from '../oidc/http.js';
import { type ProviderConnection, connectProvider } from '../oidc/provider-client.js';
import { clientAuthMemoryOf } from '../cache/client-auth-memory.js';
import { systemClock } from '../platform/clock.js';
import { createLogger } from '../platform/logger.js';
import { createTerminal } from '../platform/terminal.js';
import { shellQuote } from '../apiserver/shell-quote.js';
import { type GetTokenDeps, getToken } from '../usecases/get-token.js';
import { createLogin } from '../usecases/login.js';

/** A connect() that discovers the provider at most once per run. */
export function memoizedConnect(input: GetTokenInput, env: NodeJS.ProcessEnv): () => Promise<ProviderConnection> {
  let connection: Promise<ProviderConnection> | undefined;
  return () => {
    connection ??= createFetch(input.tls, env).then((fetch) =>
      connectProvider({
        issuerUrl: input.issuerUrl,
        clientId: input.clientId,
        fetch,
        ...(input.clientSecret ? { clientSecret: input.clientSecret, ...clientAuthMemoryOf(input) } : {}),
      }),
    );
    return connection;
  };
}

// Flags whose value is a secret (the flag table marks them): never printed, whatever their length or
// quoting (the redactor ignores values under 8 characters, and shell quoting changes the text).
const SECRET_FLAGS: ReadonlySet<string> = new Set(GET_TOKEN_FLAGS.filter((flag) => flag.secret).map((flag) => flag.name));

/**
 * The get-token command line of this run, for "log in from a terminal" fixes: without --no-login and
 * --password (it is asked for), and with `<secret>` in place of any other secret flag's value.
 */
export function loginCommandOf(argv: readonly string[]): string {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0] as string : '';
    if (arg === '--no-login') continue;
    if (SECRET_FLAGS.has(name)) {
      if (!arg.includes('=')) i++;
      if (name !== 'password') words.push(shellQuote(`--${name}=<secret>`));
      continue;
    }
    words.push(shellQuote(arg));
  }
  return ['kube-login', ...words].join(' ');
}

/** Builds the dependencies of get-token for a real run; `execInfo` tells whether kubectl gave us a terminal. */
export async function getTokenDeps(ctx: CliContext, input: GetTokenInput, execInfo?: ExecInfo): Promise<GetTokenDeps> {
  const logger = createLogger(ctx.stderr, input.verbose);
  logger.redactor.add(input.clientSecret);
  logger.redactor.add(input.password);
  const loginCommand = loginCommandOf(process.argv.slice(2));
  const terminal = createTerminal({ stdinIsTTY: ctx.stdinIsTTY, stderrIsTTY: ctx.stderrIsTTY, interactive: execInfo?.interactive }, ctx.stderr);
  const machine = { platform: process.platform, env: ctx.env, browserCommand: input.browserCommand !== undefined, skipOpenBrowser: input.skipOpenBrowser };
  return {
    store: await selectTokenStore({ storage: input.storage, dir: input.cacheDir, logger }),
    lock: new FileCacheLock({ dir: input.cacheDir, logger }),
    clock: systemClock,
    logger,
    connect: memoizedConnect(input, ctx.env),
    login: createLogin(input, { logger, openBrowser: createBrowser(input, logger), terminal, machine, loginCommand }),
    loginCommand,
    pendingLogin: (id) => readPendingLogin(input.cacheDir, id),
  };
}

/** Runs get-token for real and returns the stdout text. */
export async function runGetToken(ctx: CliContext, input: GetTokenInput): Promise<string> {
  const execInfo = parseExecInfo(ctx.env['KUBERNETES_EXEC_INFO']);
  return getToken(await getTokenDeps(ctx, input, execInfo), input, execInfo);
}
