// Shared pieces of the setup integration tests: a `kube-login` on PATH for kubectl, a kubeconfig with
// a cluster for the stand-in API server, crafted discovery documents, and a provider without refresh tokens.
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { kubeLogin, kubeLoginShellCommand } from '../../support/paths.js';
import { buildProviderConfiguration, type ProviderUser } from '../../support/provider-configuration.js';
import { requireLogin } from '../../support/provider-login-check.js';
import { quietProviderWarnings } from '../../support/quiet-provider-warnings.js';
import { makeTempDir } from '../../support/temp-dir.js';

/** A directory holding an executable `kube-login` that runs the kube-login under test: what kubectl finds on PATH. */
export function kubeLoginOnPath(): string {
  const dir = makeTempDir('kube-login-bin-');
  const shim = join(dir, 'kube-login');
  if (kubeLogin.kind === 'executable') {
    symlinkSync(kubeLogin.command, shim);
    return dir;
  }
  writeFileSync(shim, `#!/bin/sh\nexec ${kubeLoginShellCommand()} "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

/** A kubeconfig written by hand: comments, an unrelated admin user and context, and the test cluster. */
export function handWrittenKubeconfig(server: string, caFile: string): string {
  return `# My clusters. Please keep this comment.
apiVersion: v1
kind: Config
clusters:
- name: test-cluster   # the stand-in API server
  cluster:
    server: ${server}
    certificate-authority: ${caFile}
- name: elsewhere
  cluster:
    server: https://203.0.113.7:6443
contexts:
- name: admin@elsewhere
  context:
    cluster: elsewhere
    user: admin
    namespace: kube-system
current-context: admin@elsewhere
users:
- name: admin
  user:
    token: static-admin-token-do-not-print
preferences: {}
x-other-tool:
  keep: [1, 2, 3]
`;
}

/** Writes `text` to HOME/.kube/config with the given mode and returns the path. */
export function writeKubeconfig(home: string, text: string, mode = 0o640): string {
  mkdirSync(join(home, '.kube'), { recursive: true });
  const path = join(home, '.kube', 'config');
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  return path;
}

/** A plain-http server on 127.0.0.1 that serves one discovery document (built from its own URL). */
export async function discoveryServer(build: (url: string) => Record<string, unknown>): Promise<{ url: string; stop: () => Promise<void> }> {
  let url = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(build(url)));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A discovery document that passes every check, for `url`. */
export function discoveryFor(url: string): Record<string, unknown> {
  return {
    issuer: url,
    authorization_endpoint: `${url}/auth`,
    token_endpoint: `${url}/token`,
    jwks_uri: `${url}/jwks`,
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'offline_access'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

/**
 * A real oidc-provider (plain http on 127.0.0.1) that does not advertise offline_access and never
 * issues refresh tokens, as some real providers do for some clients.
 */
export async function startProviderWithoutRefreshTokens(): Promise<{ issuer: string; clientId: string; stop: () => Promise<void> }> {
  quietProviderWarnings();
  const { default: Provider, errors } = await import('oidc-provider');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const user: ProviderUser = { sub: 'demo-user', email: 'demo@example.com', email_verified: true, groups: ['developers'], name: 'Demo User' };
  const configuration = buildProviderConfiguration(
    {
      user,
      idTokenTtlSeconds: 300,
      accessTokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 3600,
      rotateRefreshTokens: true,
      publicClientId: 'kube-login',
      confidentialClient: { id: 'unused', secret: randomBytes(24).toString('base64url'), authMethod: 'client_secret_basic' },
      clientCredentials: { resource: 'urn:unused', audience: 'unused' },
      signingKey: { ...(await exportJWK(privateKey)), kid: 'no-refresh', alg: 'RS256', use: 'sig' },
      cookieKey: randomBytes(32).toString('base64url'),
    },
    errors.InvalidTarget,
  );
  const provider = new Provider(issuer, {
    ...configuration,
    scopes: ['openid', 'profile', 'email', 'groups'],
    async issueRefreshToken() {
      return false;
    },
  });
  provider.use(requireLogin(user.sub, 'demo-password'));
  server.on('request', provider.callback());
  return {
    issuer,
    clientId: 'kube-login',
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
