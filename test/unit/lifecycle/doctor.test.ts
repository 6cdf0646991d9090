// The doctor use case over fakes: the order of the checks, what is skipped when an earlier one fails,
// the refresh under the lock that saves the rotated token, and exit code 11 on any ✗.
import { describe, expect, it } from 'vitest';
import { type KubeconfigSet, kubeconfigFileFromText } from '../../../src/kube/kubeconfig.js';
import { KubeLoginError } from '../../../src/errors.js';
import type { CachedTokens } from '../../../src/cache/token-set.js';
import { type DoctorDeps, type DoctorInput, doctor, doctorFailure } from '../../../src/usecases/doctor.js';
import type { ReviewOutcome } from '../../../src/usecases/doctor/cluster-identity.js';
import type { ParsedArgs } from '../../../src/usecases/doctor/exec-stanza.js';
import type { FakeProviderScript } from './fakes.js';
import { ISSUER, MemorySessionCache, NOW, RecordingLock, arrayLogger, clock, fakeProvider, keyOf, makeInput, refreshResult, secretsOf, tokenSet } from './fakes.js';

const KUBECONFIG = (exec: string) => `apiVersion: v1
kind: Config
current-context: oidc
clusters:
- name: k8s
  cluster:
    server: https://k8s.example.com:6443
contexts:
- name: oidc
  context: {cluster: k8s, user: oidc}
users:
- name: oidc
  user:
    exec:
${exec}
`;

const GOOD_EXEC = `      apiVersion: client.authentication.k8s.io/v1
      command: kube-login
      interactiveMode: IfAvailable
      args: [get-token, --oidc-issuer-url=${ISSUER}, --oidc-client-id=kubernetes]`;

interface Setup {
  exec?: string;
  tokens?: CachedTokens | undefined;
  provider?: FakeProviderScript;
  discoverFails?: KubeLoginError;
  review?: ReviewOutcome;
  found?: string | undefined;
  date?: string;
}

function setup(options: Setup = {}) {
  const events: string[] = [];
  const cache = new MemorySessionCache(events);
  const input = makeInput();
  if (options.tokens) cache.put(keyOf(input), options.tokens);
  const out: string[] = [];
  const log = arrayLogger();
  const set: KubeconfigSet = {
    location: { paths: ['/home/alice/.kube/config'], source: 'default' },
    files: [kubeconfigFileFromText('/home/alice/.kube/config', KUBECONFIG(options.exec ?? GOOD_EXEC))],
  };
  const reviews: string[] = [];
  const deps: DoctorDeps = {
    clock,
    logger: log.logger,
    report: (text) => out.push(log.logger.redactor.mask(text)),
    env: {},
    loadKubeconfig: async () => set,
    findExecutable: async () => ('found' in options ? options.found : '/usr/local/bin/kube-login'),
    parseGetTokenArgs: (): ParsedArgs => ({ ok: true, input }),
    discover: async () => {
      if (options.discoverFails) throw options.discoverFails;
      return {
        connection: fakeProvider(options.provider ?? {}),
        dateSample: { date: options.date ?? new Date(NOW * 1000).toUTCString(), sentAtMs: NOW * 1000 + 400, receivedAtMs: NOW * 1000 + 600 },
        verifySignature: async () => ({ ok: true }),
      };
    },
    probeKeychain: () => ({ ok: true }),
    sessions: () => cache,
    lock: () => new RecordingLock(events),
    selfSubjectReview: async (_cluster, token) => {
      reviews.push(token);
      return options.review ?? { kind: 'user', username: 'oidc:alice@example.com', groups: ['oidc:dev', 'oidc:ops', 'system:authenticated'], apiVersion: 'authentication.k8s.io/v1' };
    },
  };
  const run = (doctorInput: DoctorInput = { target: { kind: 'context' }, mapping: undefined }) => doctor(deps, doctorInput);
  return { run, out, events, cache, reviews, input };
}

const marks = (report: Awaited<ReturnType<ReturnType<typeof setup>['run']>>) => Object.fromEntries(report.checks.map((check) => [check.id, check.mark]));

describe('doctor', () => {
  it('runs every check in order on a healthy context, refreshes under the lock and asks the cluster with the new token', async () => {
    const tokens = tokenSet('a');
    const { run, out, events, cache, reviews, input } = setup({ tokens, provider: { refresh: async () => refreshResult('b', { refreshToken: 'refresh-token-b-0123456789' }) } });
    const report = await run();
    expect(report.checks.map((check) => `${check.mark} ${check.id}`)).toEqual([
      'pass kubeconfig', 'pass exec-command', 'pass exec-api-version', 'pass exec-interactive-mode', 'pass exec-args',
      'pass proxy', 'pass provider', 'pass clock-skew', 'pass keychain',
      'pass cached-token', 'pass token-issuer', 'pass token-audience', 'pass token-signature',
      'pass refresh-token', 'pass refresh', 'pass cluster', 'pass username', 'pass groups',
    ]);
    expect(doctorFailure(report)).toBeUndefined();
    const id = keyOf(input).id.slice(0, 6);
    expect(events).toEqual([`read ${id}`, `lock ${id}`, 'purpose checking the refresh token (kube-login doctor)', `read ${id}`, `write ${id}`, `unlock ${id}`]);
    const saved = cache.entries.get(keyOf(input).id)?.tokens;
    expect(saved?.refreshToken).toBe('refresh-token-b-0123456789');
    expect(reviews).toEqual([saved?.idToken]);
    expect(out.at(-1)).toBe('kube-login doctor: 18 passed, 0 failed');
    for (const secret of [...secretsOf(tokens), ...secretsOf(saved!)]) expect(out.join('\n')).not.toContain(secret);
  });

  it('fails a missing interactiveMode and a command that is not on PATH, and exits with check-failed', async () => {
    const exec = `      apiVersion: client.authentication.k8s.io/v1
      command: kube-login
      args: [get-token, --oidc-issuer-url=${ISSUER}, --oidc-client-id=kubernetes]`;
    const { run } = setup({ exec, found: undefined, tokens: tokenSet('a'), provider: { refresh: async () => refreshResult('b') } });
    const report = await run();
    expect(marks(report)).toMatchObject({ 'exec-command': 'fail', 'exec-interactive-mode': 'fail' });
    const failure = doctorFailure(report);
    expect(failure).toMatchObject({ code: 'check-failed', reason: '2 checks failed (exec-command, exec-interactive-mode)' });
  });

  it('names a refused refresh token without losing the cached one', async () => {
    const invalidGrant = new KubeLoginError('provider-rejected', 'refresh the token', 'the provider answered invalid_grant', { oauthError: 'invalid_grant' });
    const tokens = tokenSet('a');
    const { run, cache, input } = setup({ tokens, provider: { refresh: async () => Promise.reject(invalidGrant) } });
    const report = await run();
    const refresh = report.checks.find((check) => check.id === 'refresh');
    expect(refresh?.mark).toBe('fail');
    expect(refresh?.text).toContain('the provider refused the refresh token (invalid_grant)');
    expect(cache.entries.get(keyOf(input).id)?.tokens.refreshToken).toBe(tokens.refreshToken);
  });

  it('fails a cached token without a refresh token, and still asks the cluster while the ID token is valid', async () => {
    const { run, reviews } = setup({ tokens: tokenSet('a', { refreshToken: false }) });
    const report = await run();
    expect(marks(report)).toMatchObject({ 'refresh-token': 'fail', cluster: 'pass' });
    expect(report.checks.find((check) => check.id === 'refresh-token')?.text).toContain('no refresh token is held');
    expect(report.checks.some((check) => check.id === 'refresh')).toBe(false);
    expect(reviews).toHaveLength(1);
  });

  it('skips the token checks with nothing cached, and the cluster when the token is expired and unrefreshable', async () => {
    const empty = await setup().run();
    expect(marks(empty)).toMatchObject({ 'cached-token': 'warn', cluster: 'skip' });
    const expired = await setup({ tokens: tokenSet('a', { age: 7200, lifetime: 3600, refreshToken: false }) }).run();
    expect(expired.checks.find((check) => check.id === 'cluster')?.text).toBe('the API server was not asked: the cached token has expired and could not be refreshed');
  });

  it('names TLS failures at the provider and skips what needs it', async () => {
    const tls = new KubeLoginError('tls', 'read the discovery document', 'TLS to idp.example.com failed: the certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)', {
      fix: 'pass the CA that signed the provider certificate with --certificate-authority FILE',
    });
    const report = await setup({ tokens: tokenSet('a'), discoverFails: tls }).run();
    const provider = report.checks.find((check) => check.id === 'provider');
    expect(provider?.text).toBe('TLS to the provider failed: TLS to idp.example.com failed: the certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(marks(report)).toMatchObject({ 'clock-skew': 'skip', 'token-signature': 'skip', refresh: 'skip' });
  });

  it('fails a clock five minutes off the provider\'s', async () => {
    const report = await setup({ date: new Date((NOW + 300) * 1000).toUTCString() }).run();
    expect(marks(report)['clock-skew']).toBe('fail');
  });

  it('checks get-token flags without a kubeconfig, and says the cluster needs --context', async () => {
    const { run, input } = setup({ tokens: tokenSet('a'), provider: { refresh: async () => refreshResult('b') } });
    const report = await run({ target: { kind: 'flags', input }, mapping: undefined });
    expect(report.checks[0]?.id).toBe('proxy');
    expect(report.checks.at(-1)).toMatchObject({ id: 'cluster', mark: 'skip', text: 'the API server was not asked: pass --context NAME to check what the cluster makes of the token' });
  });

  it('compares with the mapping given: a username prefix mismatch fails', async () => {
    const { run } = setup({ tokens: tokenSet('a'), provider: { refresh: async () => refreshResult('b') } });
    const report = await run({ target: { kind: 'context' }, mapping: { usernameClaim: 'email' } });
    expect(report.checks.find((check) => check.id === 'username')?.text).toMatch(/^username prefix mismatch/);
    expect(doctorFailure(report)?.reason).toBe('1 check failed (username)');
  });
});
