// The loopback redirect listener (RFC 8252 section 7.3): bound to 127.0.0.1 only, for one login.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { KubeLoginError, describe } from '../errors.js';
import type { ListenAddress } from '../config/get-token-input.js';
import type { Logger } from '../platform/logger.js';
import { errorPage } from './pages.js';

/** A callback that carries a code for our state: answer it with `respond` once the tokens are in. */
export interface AcceptedCallback {
  url: URL;
  respond(status: number, html: string): void;
}

/** A listening loopback server for one login. */
export interface LoopbackServer {
  readonly redirectUri: string;
  /** Sets the authorization URL offered as "try again" on error pages. */
  setRetryUrl(url: string): void;
  /** Resolves with the first callback that has the expected state and a code. */
  waitForCallback(signal: AbortSignal): Promise<AcceptedCallback>;
  close(): void;
}

function listen(server: Server, address: ListenAddress): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(address.port, address.host, () => {
      server.off('error', onError);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound ? bound.port : address.port);
    });
  });
}

/** Binds the first free address of the list; throws 'port-in-use' naming every address tried. */
export async function startLoopbackServer(
  addresses: readonly ListenAddress[],
  redirectHostname: string,
  expectedState: string,
  logger: Logger,
): Promise<LoopbackServer> {
  let pending: ((callback: AcceptedCallback) => void) | undefined;
  let retryUrl: string | undefined;
  const answer = (res: ServerResponse, status: number, html: string): void => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(html);
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/') {
      if (url.pathname !== '/favicon.ico') logger.debug(`loopback: ignored ${req.method} ${url.pathname}`);
      answer(res, 404, errorPage('This address is only for the kube-login redirect.', retryUrl));
      return;
    }
    // RFC 6749 10.12: a response without our state is not ours; it must not end the wait.
    if (url.searchParams.get('state') !== expectedState) {
      logger.warn('ignored a login response with a wrong or missing state (it does not belong to this login); still waiting');
      answer(res, 400, errorPage('This login response does not belong to the login in progress (wrong state).', retryUrl));
      return;
    }
    const error = url.searchParams.get('error');
    if (error !== null) {
      const description = url.searchParams.get('error_description');
      logger.warn(`the provider returned ${error}${description ? `: ${description}` : ''}; still waiting for another attempt (Ctrl-C to stop)`);
      answer(res, 400, errorPage(`The provider returned ${error}${description ? `: ${description}` : ''}.`, retryUrl));
      return;
    }
    if (!url.searchParams.get('code') || !pending) {
      answer(res, 400, errorPage('This login response has no authorization code, or a login already completed.', retryUrl));
      return;
    }
    const resolve = pending;
    pending = undefined;
    resolve({ url, respond: (status, html) => answer(res, status, html) });
  };

  const tried: string[] = [];
  for (const address of addresses) {
    const server = createServer(onRequest);
    try {
      const port = await listen(server, address);
      const redirectUri = `http://${redirectHostname}:${port}/`;
      logger.debug(`loopback: listening on ${address.host}:${port}; redirect_uri is ${redirectUri}`);
      return {
        redirectUri,
        setRetryUrl: (url) => {
          retryUrl = url;
        },
        waitForCallback: (signal) =>
          new Promise<AcceptedCallback>((resolve, reject) => {
            if (signal.aborted) return reject(signal.reason);
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
            pending = resolve;
          }),
        close: () => {
          server.close();
          server.closeAllConnections();
        },
      };
    } catch (error) {
      server.close();
      const code = (error as NodeJS.ErrnoException).code;
      tried.push(`${address.host}:${address.port} (${code === 'EADDRINUSE' ? 'in use' : describe(error)})`);
      if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') break;
    }
  }
  throw new KubeLoginError('port-in-use', 'start the loopback listener for the login redirect', `no address was free: ${tried.join(', ')}`, {
    fix: 'close the program using the port, or pass another --listen-address (for example 127.0.0.1:0 for any free port, if your provider allows any loopback port)',
  });
}
