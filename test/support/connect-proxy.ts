// A forward HTTP proxy on 127.0.0.1 for proxy tests: it tunnels CONNECT (https targets, and http ones
// when the client tunnels them too, as undici 6 does) and forwards absolute-form requests
// (`GET http://host/path`), and records what it was asked for. It never logs a path's query.
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';

/** One request the proxy received: a tunnel (`CONNECT host:port`) or a forwarded request. */
export interface ProxiedRequest {
  method: string;
  /** `host:port` for CONNECT; `http://host:port/path` (no query) for absolute-form requests. */
  target: string;
  /** The Proxy-Authorization header was present. */
  authorized: boolean;
}

/** Options of the proxy. */
export interface ConnectProxyOptions {
  /** Answer every request with 407 (or another status) instead of forwarding it. */
  refuseWith?: number;
}

/** A running proxy. */
export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, the value for HTTPS_PROXY/HTTP_PROXY. */
  readonly url: string;
  readonly port: number;
  /** Everything asked so far, in order. */
  requests(): ProxiedRequest[];
  /** The CONNECT targets and absolute-form origins that name `host:port`. */
  requestsTo(hostPort: string): ProxiedRequest[];
  stop(): Promise<void>;
}

const withoutQuery = (url: string): string => url.replace(/[?#].*$/, '');

/** Starts the proxy on 127.0.0.1 with an OS-chosen port. */
export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const log: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const target = req.url ?? '';
    log.push({ method: req.method ?? 'GET', target: withoutQuery(target), authorized: req.headers['proxy-authorization'] !== undefined });
    if (options.refuseWith !== undefined) {
      res.writeHead(options.refuseWith, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      res.writeHead(400).end('absolute-form request expected');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: url.hostname, port: url.port || 80, method: req.method, path: url.pathname + url.search, headers }, (answer: IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.once('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    log.push({ method: 'CONNECT', target, authorized: req.headers['proxy-authorization'] !== undefined });
    if (options.refuseWith !== undefined) {
      client.end(`HTTP/1.1 ${options.refuseWith} Refused\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n`);
      return;
    }
    const match = /^\[?([^\]]+)\]?:(\d+)$/.exec(target);
    if (!match) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = connect(Number(match[2]), match[1], () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.once('error', () => client.destroy());
    client.once('error', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A client that resets its connection (Bun's fetch does when the executable exits) is no test failure.
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const names = (hostPort: string): string[] => [hostPort, `http://${hostPort}`, `https://${hostPort}`];
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => log.map((entry) => ({ ...entry })),
    requestsTo: (hostPort) => log.filter((entry) => names(hostPort).some((name) => entry.target === name || entry.target.startsWith(`${name}/`))).map((entry) => ({ ...entry })),
    async stop() {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
