// Small parsers: versions, algorithms, quoting, the command files' typed input.
import { describe, expect, it } from 'vitest';
import { isKubeLoginError } from '../../../src/errors.js';
import { toInput as apiserverConfigInput } from '../../../src/cli/commands/apiserver-config.js';
import { toInput as rbacInput } from '../../../src/cli/commands/rbac.js';
import { parseKubernetesVersion } from '../../../src/apiserver/kubernetes-version.js';
import { parseSigningAlgs } from '../../../src/apiserver/signing-algs.js';
import { shellQuote } from '../../../src/apiserver/shell-quote.js';
import { goTime } from '../../../src/apiserver/go-format.js';

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('parsers', () => {
  it('reads Kubernetes versions as kubectl and cloud providers print them', () => {
    for (const text of ['1.34', 'v1.34', '1.34.2', 'v1.34.2-eks-113cf36', 'v1.34.1+k3s1']) expect(parseKubernetesVersion(text).minor).toBe(34);
    for (const text of ['2.0', 'latest', '1', '1.x']) expect(isKubeLoginError(thrown(() => parseKubernetesVersion(text)), 'usage')).toBe(true);
  });

  it('defaults the algorithms to RS256 and de-duplicates comma lists', () => {
    expect(parseSigningAlgs([])).toEqual(['RS256']);
    expect(parseSigningAlgs(['RS256,ES256', 'ES256'])).toEqual(['RS256', 'ES256']);
    expect(isKubeLoginError(thrown(() => parseSigningAlgs(['rs256'])))).toBe(true);
  });

  it('quotes for a POSIX shell', () => {
    expect(shellQuote('--group=oidc:dev')).toBe('--group=oidc:dev');
    expect(shellQuote('https://i#x')).toBe("'https://i#x'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('formats times as Go prints time.Time in UTC', () => {
    expect(goTime(Date.UTC(2026, 0, 2, 3, 4, 5))).toBe('2026-01-02 03:04:05 +0000 UTC');
    expect(goTime(Date.UTC(2026, 0, 2, 3, 4, 5, 120))).toBe('2026-01-02 03:04:05.12 +0000 UTC');
  });
});

describe('command input', () => {
  const base = { oidcIssuerUrl: 'https://idp.example.com', oidcClientId: ['k'] };

  it('builds the apiserver-config input with defaults', () => {
    const input = apiserverConfigInput(base, '/cwd');
    expect(input).toMatchObject({ format: 'authentication-config', via: 'oidc-flags', offline: false, cwd: '/cwd', version: { minor: 36 } });
    expect(input.mapping).toEqual({ issuerUrl: 'https://idp.example.com', clientIds: ['k'], requiredClaims: [], signingAlgs: [] });
  });

  it('refuses unknown enum values', () => {
    expect((thrown(() => apiserverConfigInput({ ...base, format: 'helm' }, '/')) as Error).message).toBe('could not read --format: unknown format "helm"');
    expect((thrown(() => apiserverConfigInput({ ...base, via: 'x' }, '/')) as Error).message).toBe('could not read --via: unknown wiring "x"');
    expect((thrown(() => apiserverConfigInput({ ...base, kubeadmApiVersion: 'v1' }, '/')) as Error).message).toBe('could not read --kubeadm-api-version: unknown version "v1"');
    expect((thrown(() => apiserverConfigInput({ oidcClientId: ['k'] }, '/')) as Error).message).toBe('could not read the command line: missing --oidc-issuer-url');
  });

  it('refuses a token on the command line without echoing it', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    for (const error of [thrown(() => apiserverConfigInput({ ...base, checkToken: token }, '/')), thrown(() => rbacInput({ clusterrole: 'view', fromToken: token }))]) {
      expect(isKubeLoginError(error, 'usage')).toBe(true);
      expect((error as Error).message).not.toContain(token);
      expect((error as { fix: string }).fix).toMatch(/pass --(check|from)-token FILE/);
    }
  });

  it('needs exactly one of --clusterrole and --role', () => {
    expect((thrown(() => rbacInput({})) as Error).message).toBe('could not read the command line: no role to bind');
    expect((thrown(() => rbacInput({ clusterrole: 'a', role: 'b' })) as Error).message).toBe('could not read the command line: --clusterrole and --role are both given');
    expect(rbacInput({ role: 'deployer', namespace: 'ns', group: ['g'] })).toMatchObject({ role: { kind: 'Role', name: 'deployer' }, namespace: 'ns', groups: ['g'] });
  });
});
