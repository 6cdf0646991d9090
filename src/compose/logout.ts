// Builds the real ports of logout: the session cache, the per-key lock, provider discovery per
// issuer and client (through our HTTP client: CAs, proxy), and the browser for --end-session.
import { fileClientAuthMemory } from '../cache/client-auth-memory.js';
import { FileCacheLock } from '../cache/file-lock.js';
import type { CacheKeyInput } from '../cache/key.js';
import { cancelPendingLogin } from '../cache/pending-login.js';
import type { CliContext } from '../cli/context.js';
import { type BrowserSettings, createBrowser } from '../oidc/browser.js';
import { type TlsOptions, createFetch } from '../oidc/http.js';
import { type ProviderConnection, connectProvider } from '../oidc/provider-client.js';
import { createLogger } from '../platform/logger.js';
import { type LogoutInput, type LogoutReport, logout } from '../usecases/logout.js';
import type { SessionSelection } from '../usecases/status.js';
import { createSessionCache } from './status.js';

/** What the logout command was asked. */
export interface LogoutCommandInput {
  cacheDir: string;
  selection: SessionSelection;
  tls: TlsOptions;
  /** --oidc-client-secret, for the client of --oidc-client-id only. */
  clientSecret?: { clientId: string; secret: string };
  browser: BrowserSettings;
  endSession: boolean;
  localOnly: boolean;
  verbose: boolean;
}

/** One discovery per issuer and client; the client secret applies to the client it was given for. */
function connector(input: LogoutCommandInput, env: NodeJS.ProcessEnv): (key: CacheKeyInput) => Promise<ProviderConnection> {
  const connections = new Map<string, Promise<ProviderConnection>>();
  const fetch = createFetch(input.tls, env);
  return (key) => {
    const id = JSON.stringify([key.issuer, key.clientId]);
    let connection = connections.get(id);
    if (!connection) {
      const secret = input.clientSecret?.clientId === key.clientId ? input.clientSecret.secret : undefined;
      const memory = secret ? { clientAuthMemory: fileClientAuthMemory(input.cacheDir, key.issuer, key.clientId) } : {};
      connection = fetch.then((f) => connectProvider({ issuerUrl: key.issuer, clientId: key.clientId, fetch: f, ...(secret ? { clientSecret: secret, ...memory } : {}) }));
      connections.set(id, connection);
    }
    return connection;
  };
}

/** Runs logout for real; the report goes to stderr. */
export async function runLogout(ctx: CliContext, input: LogoutCommandInput): Promise<LogoutReport> {
  const logger = createLogger(ctx.stderr, input.verbose);
  logger.redactor.add(input.clientSecret?.secret);
  const logoutInput: LogoutInput = {
    selection: input.selection,
    endSession: input.endSession,
    localOnly: input.localOnly,
    skipOpenBrowser: input.browser.skipOpenBrowser,
  };
  return logout(
    {
      cache: createSessionCache(input.cacheDir, logger),
      lock: new FileCacheLock({ dir: input.cacheDir, logger }),
      logger,
      connect: connector(input, ctx.env),
      openBrowser: createBrowser(input.browser, logger),
      cancelPendingLogin: (id) => cancelPendingLogin(input.cacheDir, id),
    },
    logoutInput,
  );
}
