// The apiserver-config use case with fake ports: discovery checks, the token check, notices, output.
import { describe, expect, it } from 'vitest';
import { isKubeLoginError } from '../../../src/errors.js';
import type { SignatureResult } from '../../../src/apiserver/verify-signature.js';
import { apiserverConfig, type ApiserverConfigInput, type ProviderPorts } from '../../../src/usecases/apiserver-config.js';
import { CASE_FILES, ISSUER, baseInput } from './cases.js';
import { FIXED_NOW, fakeApiserverConfigDeps } from './fakes.js';
import { newTestKey, signToken } from './tokens.js';

const discovery = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  issuer: ISSUER,
  jwks_uri: `${ISSUER}/jwks`,
  id_token_signing_alg_values_supported: ['RS256', 'ES256'],
  claims_supported: ['sub', 'email', 'email_verified', 'groups', 'hd'],
  ...overrides,
});

function provider(doc: Record<string, unknown>, signature: SignatureResult = { ok: true }): ProviderPorts & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    discover: async (issuerUrl) => {
      seen.push(`discover ${issuerUrl}`);
      return doc;
    },
    verifySignature: async (_token, jwksUri, algorithms) => {
      seen.push(`verify ${jwksUri} ${algorithms.join(',')}`);
      return signature;
    },
  };
}

async function run(input: ApiserverConfigInput, options: { doc?: Record<string, unknown>; signature?: SignatureResult; files?: Record<string, string>; stdin?: string } = {}) {
  const ports = provider(options.doc ?? discovery(), options.signature);
  const { deps, captured } = fakeApiserverConfigDeps({ files: { ...CASE_FILES, ...options.files }, provider: ports, ...(options.stdin !== undefined ? { stdin: options.stdin } : {}) });
  const outcome = await apiserverConfig(deps, input).then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { outcome, captured, seen: ports.seen };
}

const online = (overrides: Partial<ApiserverConfigInput> = {}): ApiserverConfigInput => baseInput({ offline: false, ...overrides });

describe('apiserver-config against discovery', () => {
  it('passes and writes the output atomically to --output', async () => {
    const { outcome, captured, seen } = await run(online({ output: '/etc/kubernetes/authentication-config.yaml' }));
    expect(outcome.ok).toBe(true);
    expect(seen).toEqual([`discover ${ISSUER}`]);
    expect(captured.stdout).toBe('');
    expect(captured.written.get('/etc/kubernetes/authentication-config.yaml')).toContain('kind: AuthenticationConfiguration');
  });

  it('catches a trailing-slash mismatch byte for byte, writing nothing', async () => {
    const { outcome, captured } = await run(online({ output: '/out.yaml' }), { doc: discovery({ issuer: `${ISSUER}/` }) });
    expect(outcome.ok).toBe(false);
    const error = outcome.ok ? undefined : outcome.error;
    expect(isKubeLoginError(error, 'check-failed')).toBe(true);
    expect(isKubeLoginError(error) && error.message).toBe(
      `could not validate the configuration against the provider: the provider's discovery issuer is "${ISSUER}/", not "${ISSUER}" (they differ only by the trailing slash): kube-apiserver compares them byte for byte and would reject every token`,
    );
    expect(isKubeLoginError(error) && error.fix).toBe(`pass --oidc-issuer-url ${ISSUER}/`);
    expect(captured.written.size).toBe(0);
  });

  it('refuses algorithms the provider does not sign with, and names those it does', async () => {
    const flags = online({ format: 'flags', mapping: { ...baseInput().mapping, signingAlgs: ['PS256'] } });
    const { outcome } = await run(flags);
    expect(!outcome.ok && isKubeLoginError(outcome.error) && outcome.error.reason).toBe(
      'the provider signs ID tokens with RS256, ES256 (id_token_signing_alg_values_supported), and kube-apiserver would accept only PS256',
    );
    expect(!outcome.ok && isKubeLoginError(outcome.error) && outcome.error.fix).toBe('pass --signing-algs RS256,ES256');
  });

  it('warns for algorithms the provider does not list, and for claims missing from claims_supported', async () => {
    const input = online({ format: 'flags', mapping: { ...baseInput().mapping, signingAlgs: ['RS256,PS512'], groupsClaim: 'roles' } });
    const { outcome, captured } = await run(input);
    expect(outcome.ok).toBe(true);
    expect(captured.stderr).toContain('kube-login: warning: the provider does not list PS512 in id_token_signing_alg_values_supported');
    expect(captured.stderr).toContain('kube-login: warning: the provider does not list the claim "roles" in claims_supported');
  });

  it('skips the provider with --offline, and says so', async () => {
    const { outcome, captured, seen } = await run(baseInput({ offline: true }));
    expect(outcome.ok).toBe(true);
    expect(seen).toEqual([]);
    expect(captured.stderr).toContain('--offline: the provider was not contacted');
  });

  it('prints notes and warnings on stderr only, stdout stays the file', async () => {
    const { captured } = await run(online({ mapping: { issuerUrl: ISSUER, clientIds: ['kubernetes'], groupsClaim: 'groups' } }));
    expect(captured.stderr).toContain(`kube-apiserver's flags prefix every username with "${ISSUER}#"`);
    expect(captured.stderr).toContain('kube-login: warning: groups from the groups claim are used verbatim');
    expect(captured.stdout).not.toContain('kube-login:');
  });
});

describe('apiserver-config --check-token', () => {
  it('prints the user kube-apiserver would see, verifying the signature with the JWKS, and never the token', async () => {
    const key = await newTestKey('ES256');
    const token = await signToken(key, { iss: ISSUER, aud: 'kubernetes', email: 'jane@example.com', groups: ['dev'], hd: 'example.com', exp: FIXED_NOW / 1000 + 60 });
    const { outcome, captured, seen } = await run(online({ checkToken: '/tmp/token' }), { files: { '/tmp/token': `${token}\n` } });
    expect(outcome.ok).toBe(true);
    // The AuthenticationConfiguration path accepts all 9 algorithms.
    expect(seen[1]).toBe(`verify ${ISSUER}/jwks ES256,ES384,ES512,PS256,PS384,PS512,RS256,RS384,RS512`);
    expect(captured.stderr).toContain('kube-login: token check: kube-apiserver 1.36 would authenticate this token as\n  Username: oidc:jane@example.com\n  Groups:   [oidc:dev system:authenticated]\n');
    expect(captured.stderr).not.toContain(token);
    expect(captured.stdout).toContain('kind: AuthenticationConfiguration');
  });

  it('reads the token from stdin with -', async () => {
    const key = await newTestKey();
    const token = await signToken(key, { iss: ISSUER, aud: 'kubernetes', email: 'a@b.c', hd: 'example.com', exp: FIXED_NOW / 1000 + 60 });
    const { outcome, captured } = await run(baseInput({ checkToken: '-' }), { stdin: token });
    expect(outcome.ok).toBe(true);
    expect(captured.stderr).toContain('(signature not checked: --offline) as\n  Username: oidc:a@b.c\n');
  });

  it('fails with the exact rule that rejects the token, and writes nothing', async () => {
    const key = await newTestKey();
    const token = await signToken(key, { iss: ISSUER, aud: 'kubernetes', email: 'a@b.c', exp: FIXED_NOW / 1000 + 60 });
    const { outcome, captured } = await run(online({ checkToken: '/t', output: '/out.yaml' }), { files: { '/t': token } });
    expect(!outcome.ok && isKubeLoginError(outcome.error, 'check-failed') && outcome.error.message).toBe(
      'could not authenticate the ID token as kube-apiserver would: oidc: required claim hd not present in ID token',
    );
    expect(captured.written.size).toBe(0);
    expect(captured.stdout).toBe('');
  });

  it('reports a bad signature the way go-oidc does', async () => {
    const key = await newTestKey();
    const token = await signToken(key, { iss: ISSUER, aud: 'kubernetes', email: 'a@b.c', hd: 'example.com', exp: FIXED_NOW / 1000 + 60 });
    const { outcome } = await run(online({ checkToken: '/t' }), { files: { '/t': token }, signature: { ok: false, detail: 'no key' } });
    expect(!outcome.ok && isKubeLoginError(outcome.error) && outcome.error.reason).toBe('oidc: verify token: failed to verify signature: failed to verify id token signature');
  });

  it('uses --signing-algs with the flags', async () => {
    const key = await newTestKey('ES256');
    const token = await signToken(key, { iss: ISSUER, aud: 'kubernetes', email: 'a@b.c', hd: 'example.com', exp: FIXED_NOW / 1000 + 60 });
    const { outcome, seen } = await run(online({ format: 'flags', checkToken: '/t' }), { files: { '/t': token } });
    expect(seen).toEqual([`discover ${ISSUER}`]);
    expect(!outcome.ok && isKubeLoginError(outcome.error) && outcome.error.reason).toBe('oidc: verify token: oidc: id token signed with unsupported algorithm, expected ["RS256"] got "ES256"');
  });

  it('refuses an empty or unreadable token file before contacting the provider', async () => {
    const empty = await run(online({ checkToken: '/t' }), { files: { '/t': '\n' } });
    expect(!empty.outcome.ok && isKubeLoginError(empty.outcome.error, 'usage') && empty.outcome.error.reason).toBe('it is empty');
    expect(empty.seen).toEqual([]);
    const missing = await run(online({ checkToken: '/nope' }));
    expect(!missing.outcome.ok && isKubeLoginError(missing.outcome.error, 'usage') && missing.outcome.error.action).toBe('read the ID token from /nope');
  });
});
