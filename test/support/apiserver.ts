// A stand-in Kubernetes API server over HTTPS. It authenticates bearer tokens the way kube-apiserver's
// OIDC authenticator does and answers just enough for kubectl: /version, discovery, SelfSubjectReview
// (`kubectl auth whoami`) and an empty pod list. Used by the integration tests and by the demo.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  API_GROUP_LIST, AUTHENTICATION_GROUP, AUTHENTICATION_V1_RESOURCES, CORE_V1_RESOURCES, EMPTY_POD_LIST, VERSION,
  coreApiVersions, selfSubjectReview, status,
} from './apiserver-discovery.js';
import { configFromAuthenticationFile, configFromFlags, type OidcFlags } from './authentication-config.js';
import { createTestCerts } from './certs.js';
import { JwtAuthenticator, type KubeUserInfo } from './jwt-authenticator.js';

/**
 * Configure it like kube-apiserver: either with --oidc-* style options (the flags' prefix rules apply)
 * or with `authenticationConfigFile`, an AuthenticationConfiguration YAML (explicit prefixes).
 */
export type StartApiServerOptions = OidcFlags | { authenticationConfigFile: string };

/** One request the API server received. */
export interface ApiServerRequest {
  method: string;
  path: string;
  authorized: boolean;
  username?: string;
  reason?: string;
}

/** A running stand-in API server. */
export interface TestApiServer {
  /** https://127.0.0.1:PORT */
  readonly url: string;
  /** The CA that signed the server's certificate: the kubeconfig's certificate-authority. */
  readonly caFile: string;
  readonly caPem: string;
  /** Every request so far, in order. */
  requests(): ApiServerRequest[];
  /** The reason of every rejected request, in order. */
  rejections(): string[];
  stop(): Promise<void>;
}

type Answer = { code: number; body: object };

function routeAuthenticated(method: string, path: string, user: KubeUserInfo, serverAddress: string): Answer {
  const get = (body: object): Answer => (method === 'GET' ? { code: 200, body } : notAllowed(method, path));
  switch (path) {
    case '/version': return get(VERSION);
    case '/api': return get(coreApiVersions(serverAddress));
    case '/api/v1': return get(CORE_V1_RESOURCES);
    case '/apis': return get(API_GROUP_LIST);
    case '/apis/authentication.k8s.io': return get(AUTHENTICATION_GROUP);
    case '/apis/authentication.k8s.io/v1': return get(AUTHENTICATION_V1_RESOURCES);
    case '/apis/authentication.k8s.io/v1/selfsubjectreviews':
      return method === 'POST' ? { code: 201, body: selfSubjectReview(user) } : notAllowed(method, path);
    default:
      if (/^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(path)) return get(EMPTY_POD_LIST);
      return { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
  }
}

function notAllowed(method: string, path: string): Answer {
  return { code: 405, body: status(405, 'MethodNotAllowed', `${method} is not supported on ${path}`) };
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

function send(res: ServerResponse, { code, body }: Answer): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.end(JSON.stringify(body));
}

/** Starts the stand-in API server on https://127.0.0.1 with an OS-chosen port and its own CA. */
export async function startApiServer(options: StartApiServerOptions): Promise<TestApiServer> {
  const authenticator = new JwtAuthenticator(
    'authenticationConfigFile' in options ? configFromAuthenticationFile(options.authenticationConfigFile) : configFromFlags(options),
  );
  const certs = await createTestCerts('kube-login stand-in apiserver');
  const log: ApiServerRequest[] = [];
  let serverAddress = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    req.resume(); // the request body (SelfSubjectReview's) is not needed
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'https://placeholder').pathname;
    const token = bearerToken(req);
    const result = token
      ? await authenticator.authenticate(token)
      : { ok: false as const, reason: 'no bearer token in the Authorization header' };
    if (!result.ok) {
      log.push({ method, path, authorized: false, reason: result.reason });
      // kube-apiserver says only "Unauthorized"; the stand-in puts the reason in the message for tests.
      return send(res, { code: 401, body: status(401, 'Unauthorized', result.reason) });
    }
    log.push({ method, path, authorized: true, username: result.user.username });
    send(res, routeAuthenticated(method, path, result.user, serverAddress));
  };

  const server = createServer({ key: certs.keyPem, cert: certs.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, { code: 500, body: status(500, 'InternalError', error instanceof Error ? error.message : String(error)) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  serverAddress = `127.0.0.1:${port}`;

  return {
    url: `https://${serverAddress}`,
    caFile: certs.caFile,
    caPem: certs.caPem,
    requests: () => log.map((entry) => ({ ...entry })),
    rejections: () => log.flatMap((entry) => (entry.reason === undefined ? [] : [entry.reason])),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await authenticator.close();
    },
  };
}

/** The mapping the demo and the kubectl end-to-end suites use: email and groups, both prefixed `oidc:`. */
export function prefixedMapping(issuer: string, clientId: string): OidcFlags {
  return { issuer, audiences: [clientId], usernameClaim: 'email', usernamePrefix: 'oidc:', groupsClaim: 'groups', groupsPrefix: 'oidc:' };
}

/** POSTs a SelfSubjectReview with `token`, as `kubectl auth whoami` does, trusting the stand-in's private CA. */
export function selfSubjectReviewAs(apiserver: TestApiServer, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${apiserver.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
      { method: 'POST', ca: apiserver.caPem, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      },
    );
    req.once('error', reject);
    req.end(JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
  });
}
