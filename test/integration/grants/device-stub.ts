// A tiny scripted OIDC provider for the two device flow error sequences oidc-provider cannot be made
// to produce on demand: `slow_down` (the client must add 5 s to its interval, RFC 8628 3.5) and
// `expired_token`. It serves discovery, JWKS, the device authorization endpoint (with `interval`), and
// a token endpoint that answers from a script; the last step may issue real signed tokens.
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { newSecretRecord, newTokenRecord } from '../../support/leak-record.js';

/** One token endpoint answer: an RFC 8628 3.5 error, or `tokens` (ID and access token for the stub user). */
export type TokenStep = 'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied' | 'tokens';

/** Options of the stub. */
export interface DeviceStubOptions {
  /** Token endpoint answers in order; the last one repeats. */
  script: TokenStep[];
  /** `interval` in the device authorization response (seconds); omitted when undefined. */
  interval?: number;
  /** `expires_in` of the device code. Default 600. */
  expiresIn?: number;
  clientId?: string;
  /** `verification_uri` to send instead of `<issuer>/device` (e.g. a `file:` URI a client must not open). */
  verificationUri?: string;
  /** `verification_uri_complete` to send instead of `<issuer>/device?user_code=…`; null leaves it out. */
  verificationUriComplete?: string | null;
}

/** A running stub. */
export interface DeviceStub {
  readonly issuer: string;
  readonly clientId: string;
  readonly userCode: string;
  /** Milliseconds (performance.now) of every token endpoint request, in order. */
  tokenRequestTimes(): number[];
  stop(): Promise<void>;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Uint8Array));
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Starts the stub on 127.0.0.1 with an OS-chosen port. */
export async function startDeviceStub(options: DeviceStubOptions): Promise<DeviceStub> {
  const clientId = options.clientId ?? 'kube-login';
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `stub-${randomBytes(4).toString('hex')}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const deviceCode = randomBytes(24).toString('base64url');
  const userCode = 'WDJB-MJHT';
  const times: number[] = [];
  const tokens = newTokenRecord();
  newSecretRecord().append(`${deviceCode}\n`);
  let step = 0;
  let issuer = '';

  const server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', issuer).pathname;
      if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/auth`,
          token_endpoint: `${issuer}/token`,
          device_authorization_endpoint: `${issuer}/device/auth`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          grant_types_supported: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
          token_endpoint_auth_methods_supported: ['none'],
        });
      }
      if (req.method === 'GET' && path === '/jwks') return json(res, 200, { keys: [jwk] });
      if (req.method === 'POST' && path === '/device/auth') {
        const form = await readForm(req);
        if (form.get('client_id') !== clientId) return json(res, 401, { error: 'invalid_client' });
        return json(res, 200, {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: options.verificationUri ?? `${issuer}/device`,
          ...(options.verificationUriComplete === null ? {} : { verification_uri_complete: options.verificationUriComplete ?? `${issuer}/device?user_code=${userCode}` }),
          expires_in: options.expiresIn ?? 600,
          ...(options.interval === undefined ? {} : { interval: options.interval }),
        });
      }
      if (req.method === 'POST' && path === '/token') {
        times.push(performance.now());
        const form = await readForm(req);
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:device_code' || form.get('device_code') !== deviceCode) {
          return json(res, 400, { error: 'invalid_grant' });
        }
        const current = options.script[Math.min(step, options.script.length - 1)] ?? 'authorization_pending';
        step += 1;
        if (current !== 'tokens') return json(res, 400, { error: current });
        const now = Math.floor(Date.now() / 1000);
        const idToken = await new SignJWT({ email: 'stub@example.com', groups: ['stub-group'] })
          .setProtectedHeader({ alg: 'RS256', kid })
          .setIssuer(issuer)
          .setSubject('stub-user')
          .setAudience(clientId)
          .setIssuedAt(now)
          .setExpirationTime(now + 600)
          .sign(privateKey);
        const accessToken = randomBytes(32).toString('base64url');
        tokens.append(`${idToken}\n${accessToken}\n`);
        return json(res, 200, { access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: 600 });
      }
      json(res, 404, { error: 'not_found' });
    })().catch((error: unknown) => json(res, 500, { error: 'server_error', error_description: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    clientId,
    userCode,
    tokenRequestTimes: () => [...times],
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
