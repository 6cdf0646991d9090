// apiserver-config and rbac against a real oidc-provider over https on 127.0.0.1 (its own private CA),
// through the real composition: discovery, TLS with --ca-file, the JWKS signature check, --output files.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFetch } from '../../../src/oidc/http.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { newTestKey, signToken } from '../../unit/apiserver/tokens.js';
import { runInProcess } from './cli.js';

let provider: TestProvider;
let caFile: string;
let dir: string;
let accessToken: string;

/** A JWT access token (client_credentials, RFC 9068): signed by the provider's key, iss and aud set, sub = client_id. */
async function clientCredentialsToken(): Promise<string> {
  const fetch = await createFetch({ certificateAuthorityFiles: [caFile], insecureSkipTlsVerify: false });
  const { id, secret, resource } = provider.confidentialClient;
  const response = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'kubernetes' }).toString(),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body)}`);
  return body.access_token;
}

beforeAll(async () => {
  provider = await startProvider({ https: true });
  caFile = provider.caFile ?? '';
  dir = makeTempDir('kube-login-apiserver-');
  accessToken = await clientCredentialsToken();
  writeFileSync(join(dir, 'token'), `${accessToken}\n`);
});

afterAll(async () => {
  await provider?.stop();
});

const base = (): string[] => ['apiserver-config', '--oidc-issuer-url', provider.issuer, '--oidc-client-id', 'kube-login', '--ca-file', caFile];

/** The output directory holds exactly these names (no partial or temporary file). */
function filesIn(sub: string): string[] {
  return readdirSync(join(dir, sub)).sort();
}

function freshDir(name: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  return path;
}

describe('apiserver-config with a real provider', () => {
  it('writes a configuration that passed discovery, with the provider CA embedded', async () => {
    const out = freshDir('ok');
    const run = await runInProcess([...base(), '--groups-claim', 'groups', '--groups-prefix', 'oidc:', '--output', join(out, 'authn.yaml')]);
    expect(run.error).toBeUndefined();
    expect(run.stdout).toBe('');
    expect(filesIn('ok')).toEqual(['authn.yaml']);
    const doc = parse(readFileSync(join(out, 'authn.yaml'), 'utf8')) as { jwt: Array<{ issuer: { url: string; certificateAuthority: string } }> };
    expect(doc.jwt[0]?.issuer.url).toBe(provider.issuer);
    expect(doc.jwt[0]?.issuer.certificateAuthority).toBe(provider.caPem);
    expect(provider.counts().discovery).toBeGreaterThan(0);
  });

  it('catches a trailing slash the provider does not use, and leaves the old file alone', async () => {
    const out = freshDir('slash');
    writeFileSync(join(out, 'authn.yaml'), 'old\n');
    const args = base();
    args[2] = `${provider.issuer}/`;
    const run = await runInProcess([...args, '--output', join(out, 'authn.yaml')]);
    expect(run.error?.code).toBe('check-failed');
    expect(run.error?.message).toBe(
      `could not validate the configuration against the provider: the provider's discovery issuer is "${provider.issuer}", not "${provider.issuer}/" (they differ only by the trailing slash): kube-apiserver compares them byte for byte and would reject every token`,
    );
    expect(run.error?.fix).toBe(`pass --oidc-issuer-url ${provider.issuer}`);
    expect(readFileSync(join(out, 'authn.yaml'), 'utf8')).toBe('old\n');
    expect(filesIn('slash')).toEqual(['authn.yaml']);
  });

  it('needs the provider CA for TLS, and says which flag gives it', async () => {
    const out = freshDir('tls');
    const run = await runInProcess(['apiserver-config', '--oidc-issuer-url', provider.issuer, '--oidc-client-id', 'kube-login', '--output', join(out, 'a.yaml')]);
    expect(run.error?.code).toBe('tls');
    expect(run.error?.fix).toContain('--ca-file');
    expect(filesIn('tls')).toEqual([]);
  });

  it('fails cleanly on bad input, with no output file', async () => {
    const out = freshDir('bad');
    const target = join(out, 'a.yaml');
    const cases: Array<[string[], string]> = [
      [['apiserver-config', '--oidc-issuer-url', provider.issuer.replace('https', 'http'), '--oidc-client-id', 'k', '--output', target], 'URL scheme must be https'],
      [['apiserver-config', '--oidc-issuer-url', `${provider.issuer}?x=1`, '--oidc-client-id', 'k', '--output', target], 'URL must not contain a query'],
      [[...base(), '--username-prefix', 'system:', '--output', target], 'the system: prefix is reserved'],
      [[...base(), '--signing-algs', 'HS256', '--output', target], 'oidc: unsupported signing alg: "HS256"'],
      [[...base(), '--kubernetes-version', '1.29', '--output', target], 'needs kube-apiserver 1.30 or later'],
      [[...base().slice(0, 5), '--ca-file', out, '--output', target], 'EISDIR'],
      [[...base().slice(0, 5), '--ca-file', join(out, 'missing.pem'), '--output', target], 'ENOENT'],
    ];
    for (const [args, reason] of cases) {
      const run = await runInProcess(args);
      expect(run.error?.message).toContain(reason);
      expect(run.stdout).toBe('');
      expect(filesIn('bad')).toEqual([]);
    }
  });

  it('reports an unreachable provider with the --offline way out', async () => {
    const stopped = await startProvider({ https: true });
    await stopped.stop();
    const run = await runInProcess(['apiserver-config', '--oidc-issuer-url', stopped.issuer, '--oidc-client-id', 'k', '--ca-file', stopped.caFile ?? '']);
    expect(run.error?.code).toBe('provider-unreachable');
    expect(run.error?.fix).toContain('--offline');
    const offline = await runInProcess(['apiserver-config', '--oidc-issuer-url', stopped.issuer, '--oidc-client-id', 'k', '--ca-file', stopped.caFile ?? '', '--offline']);
    expect(offline.error).toBeUndefined();
    expect(offline.stdout).toContain('kind: AuthenticationConfiguration');
  });
});

describe('apiserver-config --check-token with a real provider', () => {
  it('verifies a provider-signed token against the JWKS and prints the user', async () => {
    const run = await runInProcess([...base(), '--check-token', join(dir, 'token'), '--username-claim', 'client_id', '--username-prefix', 'ci:']);
    expect(run.error).toBeUndefined();
    expect(run.stderr).toContain(`would authenticate this token as\n  Username: ci:${provider.confidentialClient.id}\n  Groups:   [system:authenticated]\n`);
    expect(run.stderr).not.toContain(accessToken);
    expect(provider.counts().jwks).toBeGreaterThan(0);
  });

  it('names the required claim the token lacks', async () => {
    const run = await runInProcess([...base(), '--check-token', join(dir, 'token'), '--required-claim', 'tier=gold']);
    expect(run.error?.message).toBe('could not authenticate the ID token as kube-apiserver would: oidc: required claim tier not present in ID token');
  });

  it('rejects a token with the provider\'s iss that the provider did not sign', async () => {
    const key = await newTestKey('RS256', 'forged');
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    writeFileSync(join(dir, 'forged'), await signToken(key, payload));
    const run = await runInProcess([...base(), '--check-token', join(dir, 'forged')]);
    expect(run.error?.reason).toBe('oidc: verify token: failed to verify signature: failed to verify id token signature');
  });

  it('does not apply the configuration to a token from another issuer', async () => {
    const args = base();
    args[2] = `${provider.issuer}/other`;
    const run = await runInProcess([...args, '--offline', '--check-token', join(dir, 'token')]);
    expect(run.error?.reason).toMatch(/is not ".*\/other", so kube-apiserver does not apply this authenticator/);
  });
});

describe('rbac --from-token with a real token', () => {
  it('binds the user kube-apiserver would see', async () => {
    const out = freshDir('rbac');
    const run = await runInProcess(['rbac', '--from-token', join(dir, 'token'), '--username-claim', 'client_id', '--clusterrole', 'view', '--namespace', 'ci', '--output', join(out, 'binding.yaml')]);
    expect(run.error).toBeUndefined();
    const doc = parse(readFileSync(join(out, 'binding.yaml'), 'utf8')) as { subjects: unknown[] };
    expect(doc.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `${provider.issuer}#${provider.confidentialClient.id}` }]);
    expect(existsSync(join(out, 'binding.yaml'))).toBe(true);
  });
});
