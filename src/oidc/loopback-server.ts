// The loopback redirect listener (RFC 8252 section 7.3): bound to 127.0.0.1 only, for one login.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { KubeLoginError, describe } from '../errors.js';
import type { ListenAddress } from '../config/get-token-input.js';
import type { Logger } from '../platform/logger.js';
import { terminalLine } from '../platform/terminal-text.js';
import { errorPage } from './pages.js';

/** A callback that carries a code for our state: answer it with `respond` once the tokens are in. */
export interface AcceptedCallback {
  url: URL;
  respond(status: number, html: string): void;
}

/** A listening loopback server for one login. */
export interface LoopbackServer {
  readonly redirectUri: string;
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

/**
 * The Host header values the listener answers: the loopback names with the bound port (RFC 8252
 * section 8.3), plus the configured redirect host name and the bound address, which the browser may
 * send. Anything else is a request for another origin, typically a web page that re-pointed its own
 * DNS name at 127.0.0.1 (DNS rebinding): refusing it keeps that page from reading our answers.
 */
export function allowedHosts(port: number, redirectHostname: string, boundHost: string): Set<string> {
  const bracket = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  const names = new Set(['localhost', '127.0.0.1', '[::1]', bracket(redirectHostname).toLowerCase(), bracket(boundHost).toLowerCase()]);
  const hosts = new Set<string>();
  for (const name of names) {
    hosts.add(`${name}:${port}`);
    // RFC 9110 section 7.2: the port may be left out when it is the scheme's default.
    if (port === 80) hosts.add(name);
  }
  return hosts;
}

/**
 * Binds the first free address of the list; throws 'port-in-use' naming every address tried.
 * No answer carries the authorization URL, state, nonce or PKCE challenge: anyone who can reach
 * 127.0.0.1 can make requests here (another local user with any Host), so a "try again" link would
 * hand them the login. The person retries from the terminal, which prints the URL (docs/security.md).
 */
export async function startLoopbackServer(
  addresses: readonly ListenAddress[],
  redirectHostname: string,
  expectedState: string,
  logger: Logger,
): Promise<LoopbackServer> {
  let pending: ((callback: AcceptedCallback) => void) | undefined;
  let hosts = new Set<string>();
  let warnedHost = false;
  const answer = (res: ServerResponse, status: number, html: string): void => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The callback URL carries the code: no referrer, no framing, nothing loaded from elsewhere.
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      connection: 'close',
    });
    res.end(html);
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const host = (req.headers.host ?? '').toLowerCase();
    if (!hosts.has(host)) {
      // RFC 9110 section 15.5.20: 421 for a request meant for another origin; a bare body, nothing to read.
      const note = `ignored a request to the login listener for another host name (Host: "${terminalLine(host.slice(0, 100))}"), as a web page using DNS rebinding would send`;
      if (warnedHost) logger.debug(note);
      else logger.warn(`${note}; still waiting`);
      warnedHost = true;
      res.writeHead(421, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
      res.end('Misdirected Request\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/') {
      if (url.pathname !== '/favicon.ico') logger.debug(`loopback: ignored ${req.method} ${terminalLine(url.pathname.slice(0, 100))}`);
      answer(res, 404, errorPage('This address is only for the kube-login redirect.'));
      return;
    }
    // RFC 6749 10.12: a response without our state is not ours; it must not end the wait.
    if (url.searchParams.get('state') !== expectedState) {
      logger.warn('ignored a login response with a wrong or missing state (it does not belong to this login); still waiting');
      answer(res, 400, errorPage('This login response does not belong to the login in progress (wrong state).'));
      return;
    }
    const error = url.searchParams.get('error');
    if (error !== null) {
      const description = url.searchParams.get('error_description');
      const text = terminalLine(`${error}${description ? `: ${description}` : ''}`);
      logger.warn(`the provider returned ${text}; still waiting for another attempt (Ctrl-C to stop)`);
      answer(res, 400, errorPage(`The provider returned ${text}.`));
      return;
    }
    if (!url.searchParams.get('code') || !pending) {
      answer(res, 400, errorPage('This login response has no authorization code, or a login already completed.'));
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
      hosts = allowedHosts(port, redirectHostname, address.host);
      const redirectUri = `http://${redirectHostname}:${port}/`;
      logger.debug(`loopback: listening on ${address.host}:${port}; redirect_uri is ${redirectUri}`);
      return {
        redirectUri,
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
