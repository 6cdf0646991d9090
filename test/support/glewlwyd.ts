// glewlwyd 2.7.5 (Debian 12 `glewlwyd`) as a second, independent OpenID Provider for the tests: one
// private instance per test file on 127.0.0.1, with its own sqlite database, config, web app copy and
// TLS from a private CA, configured through its admin REST API as its admin web app does.
// TESTBED.md (glewlwyd section) lists the facts this file is built on.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPair as generateKeyPairCallback } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { createTestCerts, type TestCerts } from './certs.js';
import { freePorts } from './free-port.js';
import { newSecretRecord } from './leak-record.js';
import { makeTempDir } from './temp-dir.js';

const run = promisify(execFile);
const generateKeyPair = promisify(generateKeyPairCallback);

const GLEWLWYD = '/usr/bin/glewlwyd';
const SCHEMA = '/usr/share/dbconfig-common/data/glewlwyd/install/sqlite3';
const WEBAPP = '/usr/share/glewlwyd/webapp';
const MODULES = '/usr/lib/glewlwyd';
const INSTALL = 'apt-get install -y glewlwyd sqlite3';

/** The plugin instance name: the issuer is `<external_url>/api/<name>`. */
const PLUGIN = 'oidc';

/** A confidential client: IDs with dashes on purpose (HTTP Basic form-encodes `-`; glewlwyd does not decode it). */
export interface GlewlwydClient {
  readonly id: string;
  readonly secret: string;
}

/** The test user; `groups` is a multi-valued user property mapped to the `groups` claim. */
export interface GlewlwydUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly groups: readonly string[];
}

/** Options of startGlewlwyd. */
export interface GlewlwydOptions {
  /** Lifetime of access and ID tokens (glewlwyd gives both the same), seconds; default 3600. */
  accessTokenDuration?: number;
  /** How many loopback ports to reserve and register as exact redirect URIs; default 2. */
  redirectPorts?: number;
}

/** A running glewlwyd instance, configured for kube-login. */
export interface Glewlwyd {
  readonly issuer: string;
  /** https://127.0.0.1:PORT */
  readonly baseUrl: string;
  readonly certs: TestCerts;
  readonly caFile: string;
  /** The public native client (PKCE, authcode + device flow + refresh). */
  readonly publicClientId: string;
  /** Confidential clients: `robot` for client credentials, `password` for the password grant and revocation. */
  readonly robot: GlewlwydClient;
  readonly passwordClient: GlewlwydClient;
  readonly user: GlewlwydUser;
  /** Ports registered as `http://localhost:PORT/` redirect URIs of the public client. */
  readonly redirectPorts: readonly number[];
  /** Admin REST API call (session of the `admin` user); throws on a non-2xx answer. */
  admin(method: string, path: string, body?: unknown): Promise<unknown>;
  /** glewlwyd's recent console output (set GLEWLWYD_LOG_LEVEL=DEBUG for more). */
  output(): string;
  stop(): Promise<void>;
}

/** Fails loudly when glewlwyd or sqlite3 is missing: the suite never skips the second provider. */
export function assertGlewlwydInstalled(paths: readonly string[] = [GLEWLWYD, SCHEMA, WEBAPP, '/usr/bin/sqlite3']): void {
  const missing = paths.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(`glewlwyd tests need the Debian packages glewlwyd and sqlite3 (missing: ${missing.join(', ')}): run \`${INSTALL}\` (.ci/run does)`);
  }
}

function configFile(dir: string, port: number, baseUrl: string, certs: TestCerts): string {
  const mime = [
    ['.html', 'text/html'], ['.css', 'text/css'], ['.js', 'application/javascript'], ['.json', 'application/json'],
    ['.png', 'image/png'], ['.ico', 'image/x-icon'], ['.ttf', 'font/ttf'], ['.woff', 'font/woff'], ['.woff2', 'font/woff2'],
    ['.svg', 'image/svg+xml'],
  ].map(([extension, type]) => `  { extension = "${extension}"\n    mime_type = "${type}" }`).join(',\n');
  return `port=${port}
bind_address="127.0.0.1"
external_url="${baseUrl}"
login_url="login.html"
api_prefix="api"
static_files_path="${join(dir, 'webapp')}/"
allow_origin="*"
log_mode="console"
log_level="${process.env.GLEWLWYD_LOG_LEVEL ?? 'ERROR'}"
cookie_secure=1
cookie_same_site="empty"
session_expiration=2419200
session_key="GLEWLWYD2_SESSION_ID"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
plugin_api_run_enabled=""
add_x_frame_option_header_deny=true
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="${MODULES}/user"
client_module_path="${MODULES}/client"
user_auth_scheme_module_path="${MODULES}/scheme"
plugin_module_path="${MODULES}/plugin"
use_secure_connection=true
secure_connection_key_file="${certs.keyFile}"
secure_connection_pem_file="${certs.certFile}"
hash_algorithm="SHA512"
database = { type = "sqlite3"
  path = "${join(dir, 'glewlwyd.db')}" };
static_files_mime_types = (
${mime}
);
`;
}

/** A small cookie-keeping JSON client for one glewlwyd session. */
export class GlewlwydSession {
  #cookies = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    readonly dispatcher: Agent,
  ) {}

  /** The raw response (redirects not followed); cookies are kept. */
  async request(method: string, url: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.#cookies.size > 0) headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/json';
    const target = url.startsWith('http') ? url : `${this.baseUrl}${url}`;
    const init = { method, headers, redirect: 'manual', dispatcher: this.dispatcher, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) };
    const response = await fetch(target, init as RequestInit);
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  }

  /** A JSON API call that must succeed. */
  async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.request(method, `${this.baseUrl}/api${path}`, body);
    const text = await response.text();
    if (response.status < 200 || response.status >= 300) throw new Error(`glewlwyd ${method} /api${path} answered HTTP ${response.status}: ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }
}

async function waitReady(baseUrl: string, dispatcher: Agent, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (child.exitCode !== null) {
      const message = `glewlwyd exited with ${child.exitCode} at start-up: ${output().slice(-1500)}`;
      throw /address already in use|bind|EADDRINUSE/i.test(output()) ? new PortTakenError(message) : new Error(message);
    }
    try {
      const response = await fetch(`${baseUrl}/config/`, { dispatcher } as RequestInit);
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`glewlwyd did not answer GET /config/ within 5 s: ${output().slice(-1500)}`);
}

/** The plugin's RSA signing key (RS256, what kube-apiserver verifies by default), made off the main thread. */
async function signingKey(): Promise<{ key: string; cert: string }> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  return {
    key: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    cert: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The complete OIDC plugin parameter object (an incomplete one leaves a disabled instance behind). */
function oidcParameters(issuer: string, accessTokenDuration: number, { key, cert }: { key: string; cert: string }): Record<string, unknown> {
  return {
    'oauth-as-iss-id': false, 'jwt-type': 'rsa', 'jwt-key-size': '256', 'jwks-uri': '', 'jwks-private': '', 'default-kid': '',
    'client-sign_kid-parameter': '', 'jwks-public': '', key, cert,
    'access-token-duration': accessTokenDuration, 'refresh-token-duration': 1209600, 'code-duration': 600,
    'refresh-token-rolling': true, 'refresh-token-one-use': 'always', 'client-refresh-token-one-use-parameter': 'refresh-token-one-use',
    'allow-non-oidc': true, 'auth-type-code-enabled': true, 'auth-type-code-revoke-replayed': false, 'auth-type-token-enabled': false,
    'auth-type-id-token-enabled': false, 'auth-type-none-enabled': false, 'auth-type-password-enabled': true,
    'auth-type-client-enabled': true, 'auth-type-device-enabled': true, 'auth-type-refresh-enabled': true,
    scope: [], 'additional-parameters': [],
    claims: [{ name: 'groups', 'user-property': 'groups', type: 'string', 'boolean-value-true': '', 'boolean-value-false': '', mandatory: true, 'on-demand': false, scope: [] }],
    'service-documentation': '', 'op-policy-uri': '', 'op-tos-uri': '', 'jwks-show': true, 'jwks-x5c': [],
    'request-parameter-allow': false, 'request-uri-allow-https-non-secure': false, 'request-parameter-allow-encrypted': false,
    'request-parameter-ietf-strict': false, 'secret-type': 'pairwise',
    'address-claim': { type: 'no', formatted: '', street_address: '', locality: '', region: '', postal_code: '', country: '', mandatory: false },
    'name-claim': 'on-demand', 'name-claim-scope': [], 'email-claim': 'mandatory', 'email-claim-scope': [], 'scope-claim': 'no', 'scope-claim-scope': [],
    'allowed-scope': ['openid'], 'pkce-allowed': true, 'pkce-method-plain-allowed': false, 'pkce-required': false, 'pkce-required-public-client': true,
    'pkce-scopes': [], 'introspection-revocation-allowed': true, 'introspection-revocation-auth-scope': [],
    'introspection-revocation-allow-target-client': true, 'register-client-allowed': false, 'register-client-auth-scope': [],
    'register-client-credentials-scope': [], 'register-client-token-one-use': true, 'register-client-management-allowed': false,
    'register-resource-specify-allowed': false, 'register-resource-default': [], 'register-default-properties': {},
    'session-management-allowed': true, 'session-cookie-name': 'GLEWLWYD2_OIDC_SID', 'session-cookie-expiration': 2419200,
    'front-channel-logout-allowed': false, 'back-channel-logout-allowed': false, 'client-pubkey-parameter': '', 'client-jwks-parameter': 'jwks',
    'client-jwks_uri-parameter': 'jwks_uri', 'request-maximum-exp': 3600, 'encrypt-out-token-allow': false, 'client-enc-parameter': 'enc',
    'client-alg-parameter': 'alg', 'client-alg_kid-parameter': 'alg_kid', 'client-encrypt_code-parameter': 'encrypt_code',
    'client-encrypt_at-parameter': 'encrypt_at', 'client-encrypt_userinfo-parameter': 'encrypt_userinfo',
    'client-encrypt_id_token-parameter': 'encrypt_id_token', 'client-encrypt_refresh_token-parameter': 'encrypt_refresh_token',
    'client-encrypt_introspection-parameter': 'encrypt_introspection', 'device-authorization-expiration': 600, 'device-authorization-interval': 1,
    'client-cert-header-name': 'SSL_CLIENT_CERT', 'client-cert-use-endpoint-aliases': false, 'client-cert-self-signed-allowed': false,
    'oauth-dpop-allowed': false, 'oauth-dpop-iat-duration': 10, 'oauth-dpop-iat-gap-duration': 0,
    'oauth-dpop-dpop_bound_access_tokens-property': 'dpop_bound_access_tokens', 'oauth-dpop-nonce-mandatory': false, 'oauth-dpop-nonce-counter': 10,
    'resource-allowed': false, 'resource-scope': {}, 'resource-client-property': '', 'resource-scope-and-client-property': false,
    'oauth-rar-allowed': false, 'rar-types-client-property': 'authorization_details_types', 'rar-allow-auth-unsigned': false,
    'rar-allow-auth-unencrypted': true, 'rar-types': {}, 'oauth-par-allowed': false, 'oauth-par-duration': 90, 'oauth-par-required': false,
    'oauth-par-request_uri-prefix': 'urn:ietf:params:oauth:request_uri:', 'prompt-continue-client-property': '', 'restrict-scope-client-property': '',
    'oauth-ciba-allowed': false, 'oauth-ciba-default-expiry': 600, 'oauth-ciba-maximum-expiry': 1200, 'oauth-ciba-mode-poll-allowed': true,
    'oauth-ciba-mode-ping-allowed': true, 'oauth-ciba-mode-push-allowed': true, 'oauth-ciba-allow-https-non-secure': false,
    'oauth-ciba-user-code-allowed': true, 'oauth-ciba-user-code-property': 'user-code', 'oauth-ciba-email-allowed': false,
    'oauth-ciba-email-host': '', 'oauth-ciba-email-user': '', 'oauth-ciba-email-password': '', 'oauth-ciba-email-use-tls': false,
    'oauth-ciba-email-check-certificate': true, 'oauth-ciba-email-port': 0, 'oauth-ciba-email-from': '', 'oauth-ciba-email-user-lang-property': 'lang',
    'oauth-ciba-email-content-type': 'text/plain; charset=utf-8', 'oauth-ciba-email-templates': {},
    'oauth-fapi-check-all': false, 'oauth-fapi-allow-jarm': false, 'oauth-fapi-add-s_hash': false, 'oauth-fapi-verify-nbf': false,
    'oauth-fapi-allow-restrict-alg': false, 'oauth-fapi-restrict-alg': [], 'oauth-fapi-allow-multiple-kid': false,
    'oauth-fapi-ciba-confidential-client': false, 'oauth-fapi-ciba-push-forbidden': false, 'jwks-public-uri': '', iss: issuer,
  };
}

/** Starts and configures a private glewlwyd; call stop() in afterAll. */
export async function startGlewlwyd(options: GlewlwydOptions = {}): Promise<Glewlwyd> {
  assertGlewlwydInstalled();
  const dir = makeTempDir('kube-login-glewlwyd-');
  const key = signingKey();
  key.catch(() => undefined);
  const [certs] = await Promise.all([
    createTestCerts('kube-login glewlwyd'),
    // WAL (kept in the file) spares most fsyncs of the many small writes the admin API makes.
    run('sh', ['-c', `{ echo 'PRAGMA journal_mode=WAL;'; cat '${SCHEMA}'; } | sqlite3 '${join(dir, 'glewlwyd.db')}' >/dev/null`]),
  ]);
  cpSync(WEBAPP, join(dir, 'webapp'), { recursive: true, dereference: true, filter: (source) => !source.endsWith('config.json') });
  const webappConfig = JSON.parse(readFileSync('/etc/glewlwyd/config-2.7.json/config.json', 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'webapp', 'config.json'), JSON.stringify({ ...webappConfig, lang: ['en'], defaultScheme: '', sessionSchemes: [] }));

  // The ports were free a moment ago; another process may take glewlwyd's meanwhile: try again then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(dir, certs, options, key);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

/** glewlwyd exited at start-up because its port was taken. */
class PortTakenError extends Error {}

async function launch(dir: string, certs: TestCerts, options: GlewlwydOptions, key: Promise<{ key: string; cert: string }>): Promise<Glewlwyd> {
  const [port, ...redirectPorts] = await freePorts(1 + (options.redirectPorts ?? 2));
  const baseUrl = `https://127.0.0.1:${port}`;
  const issuer = `${baseUrl}/api/${PLUGIN}`;
  writeFileSync(join(dir, 'glewlwyd.conf'), configFile(dir, port as number, baseUrl, certs));
  const dispatcher = new Agent({ connect: { ca: certs.caPem } });
  let output = '';
  const child = spawn(GLEWLWYD, ['--config-file', join(dir, 'glewlwyd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  // vitest may end a worker without afterAll: never leave a glewlwyd behind.
  const killAtExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killAtExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAtExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    await dispatcher.close();
  };
  try {
    await waitReady(baseUrl, dispatcher, child, () => output);
    const admin = new GlewlwydSession(baseUrl, dispatcher);
    const user: GlewlwydUser = { username: 'dev-user', password: 'dev-password', email: 'dev-user@example.test', groups: ['developers', 'kube-viewers'] };
    const robot: GlewlwydClient = { id: 'kube-login-robot', secret: 'robot-secret-0123456789' };
    const passwordClient: GlewlwydClient = { id: 'kube-login-cli', secret: 'cli-secret-0123456789' };
    const publicClientId = 'kube-login-public';
    // The leak check (test/leak) looks for these in every recorded stderr.
    newSecretRecord().append(`${robot.secret}\n${passwordClient.secret}\n`);
    await configure(admin, { issuer, user, robot, passwordClient, publicClientId, redirectPorts: redirectPorts as number[], accessTokenDuration: options.accessTokenDuration ?? 3600, baseUrl, signingKey: key });
    return {
      issuer, baseUrl, certs, caFile: certs.caFile, publicClientId, robot, passwordClient, user,
      redirectPorts: redirectPorts as number[],
      admin: (method, path, body) => admin.json(method, path, body),
      output: () => output,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Setup {
  issuer: string;
  baseUrl: string;
  user: GlewlwydUser;
  robot: GlewlwydClient;
  passwordClient: GlewlwydClient;
  publicClientId: string;
  redirectPorts: number[];
  accessTokenDuration: number;
  signingKey: Promise<{ key: string; cert: string }>;
}

async function configure(admin: GlewlwydSession, setup: Setup): Promise<void> {
  await admin.json('POST', '/auth/', { username: 'admin', password: 'password' });
  const scopes = ['openid', 'email', 'groups', 'profile', 'offline_access', 'kube-api'];
  // One request at a time: glewlwyd's sqlite backend answers concurrent writes with HTTP 500.
  for (const name of scopes.filter((scope) => scope !== 'openid')) {
    await admin.json('POST', '/scope/', { name, display_name: name, description: name, password_required: false, scheme: {} });
  }
  const user = async (): Promise<void> => {
    // A multi-valued `groups` user property; a change of data format applies after a reset.
    const userModule = (await admin.json('GET', '/mod/user/database')) as { parameters: { 'data-format': Record<string, unknown> } } & Record<string, unknown>;
    userModule.parameters['data-format']['groups'] = { multiple: true, read: true, write: true, 'profile-read': true, 'profile-write': false };
    await admin.json('PUT', '/mod/user/database', userModule);
    await admin.json('PUT', '/mod/user/database/reset');
    await admin.json('POST', '/user/', {
      username: setup.user.username, password: setup.user.password, name: 'Dev User', email: setup.user.email, enabled: true,
      scope: scopes, groups: [...setup.user.groups],
    });
  };
  const plugin = async (): Promise<void> => {
    await admin.json('POST', '/mod/plugin/', {
      module: 'oidc', name: PLUGIN, display_name: 'OpenID Connect', enabled: true, parameters: oidcParameters(setup.issuer, setup.accessTokenDuration, await setup.signingKey),
    });
    // A creation that fails still leaves a disabled instance behind (TESTBED).
    const created = (await admin.json('GET', `/mod/plugin/${PLUGIN}`)) as { enabled?: boolean };
    if (created.enabled !== true) throw new Error('the glewlwyd OIDC plugin instance was created disabled: its parameters are incomplete');
  };
  const publicClient = (): Promise<unknown> =>
    admin.json('POST', '/client/', {
      client_id: setup.publicClientId, name: 'kube-login', enabled: true, confidential: false, scope: scopes,
      // Exact redirect URIs: glewlwyd has no RFC 8252 7.3 any-port rule.
      redirect_uri: setup.redirectPorts.map((port) => `http://localhost:${port}/`),
      authorization_type: ['code', 'refresh_token', 'device_authorization', 'delete_token'],
      token_endpoint_auth_method: ['none'],
    });
  const confidential = (client: GlewlwydClient): Promise<unknown> =>
    // The database client module checks `password`; confidential clients need the methods set explicitly.
    admin.json('POST', '/client/', {
      client_id: client.id, name: client.id, enabled: true, confidential: true, client_secret: client.secret, password: client.secret, scope: scopes, redirect_uri: [],
      authorization_type: ['client_credentials', 'password', 'refresh_token', 'delete_token'],
      token_endpoint_auth_method: ['client_secret_basic', 'client_secret_post'],
    });
  await user();
  await plugin();
  await publicClient();
  await confidential(setup.robot);
  await confidential(setup.passwordClient);
}
