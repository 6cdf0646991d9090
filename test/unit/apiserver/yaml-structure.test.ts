// Every YAML output parsed back and checked against the field rules of SPECS.md C and D.
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseKubernetesVersion } from '../../../src/apiserver/kubernetes-version.js';
import { apiserverConfig, type ApiserverConfigInput } from '../../../src/usecases/apiserver-config.js';
import { configFromAuthenticationFile } from '../../support/authentication-config.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { CASE_FILES, GOLDEN_CASES, baseInput } from './cases.js';
import { TEST_CA_PEM, fakeApiserverConfigDeps } from './fakes.js';

type Node = Record<string, unknown>;

async function render(input: ApiserverConfigInput): Promise<string> {
  const { deps, captured } = fakeApiserverConfigDeps({ files: CASE_FILES });
  await apiserverConfig(deps, input);
  return captured.stdout;
}

function keysOf(value: unknown): string[] {
  return Object.keys(value as Node);
}

/** The AuthenticationConfiguration rules: strict fields, explicit prefixes, MatchAny, PEM content. */
function checkAuthenticationConfiguration(doc: Node, input: ApiserverConfigInput): void {
  const minor = input.version.minor;
  expect(doc['apiVersion']).toBe(minor >= 34 ? 'apiserver.config.k8s.io/v1' : 'apiserver.config.k8s.io/v1beta1');
  expect(doc['kind']).toBe('AuthenticationConfiguration');
  expect(keysOf(doc).sort()).toEqual(['apiVersion', 'jwt', 'kind']);
  const jwt = doc['jwt'] as Node[];
  expect(jwt).toHaveLength(1);
  const [authenticator] = jwt as [Node];
  const issuer = authenticator['issuer'] as Node;
  for (const key of keysOf(issuer)) expect(['url', 'certificateAuthority', 'audiences', 'audienceMatchPolicy']).toContain(key);
  expect(issuer['url']).toBe(input.mapping.issuerUrl);
  expect(issuer['audiences']).toEqual(input.mapping.clientIds);
  if (input.mapping.clientIds.length > 1) expect(issuer['audienceMatchPolicy']).toBe('MatchAny');
  else expect(issuer['audienceMatchPolicy']).toBeUndefined();
  if (input.caFile === undefined) expect(issuer['certificateAuthority']).toBeUndefined();
  else {
    const ca = issuer['certificateAuthority'];
    expect(typeof ca).toBe('string');
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(new X509Certificate(String(ca)).fingerprint256).toBe(new X509Certificate(TEST_CA_PEM).fingerprint256);
  }
  const mappings = authenticator['claimMappings'] as Node;
  for (const [name, mapping] of Object.entries(mappings)) {
    expect(['username', 'groups']).toContain(name);
    // "prefix is required when claim is set": always present, always a string.
    expect(keysOf(mapping).sort()).toEqual(['claim', 'prefix']);
    expect(typeof (mapping as Node)['prefix']).toBe('string');
  }
  const username = mappings['username'] as Node;
  const claim = input.mapping.usernameClaim ?? 'sub';
  expect(username['claim']).toBe(claim);
  const flag = input.mapping.usernamePrefix;
  const expectedPrefix = flag === '-' ? '' : flag ? flag : claim === 'email' ? '' : `${input.mapping.issuerUrl}#`;
  expect(username['prefix']).toBe(expectedPrefix);
  if (input.mapping.groupsClaim) expect(mappings['groups']).toEqual({ claim: input.mapping.groupsClaim, prefix: input.mapping.groupsPrefix ?? '' });
  else expect(mappings['groups']).toBeUndefined();
  const rules = (authenticator['claimValidationRules'] ?? []) as Node[];
  expect(rules).toEqual((input.mapping.requiredClaims ?? []).map((pair) => {
    const at = pair.indexOf('=');
    return { claim: pair.slice(0, at), requiredValue: pair.slice(at + 1) };
  }));
  for (const key of keysOf(authenticator)) expect(['issuer', 'claimValidationRules', 'claimMappings']).toContain(key);
}

describe('AuthenticationConfiguration parsed back', () => {
  it('follows the field rules for generated mappings', async () => {
    const claimName = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
    const value = fc.string({ minLength: 0, maxLength: 12 }).filter((text) => !text.includes('\n'));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          path: fc.constantFrom('', '/', '/realms/main', '/tenant/v2.0', '/a-b'),
          audiences: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), { minLength: 1, maxLength: 3 }),
          usernameClaim: fc.constantFrom(undefined, 'sub', 'email', 'preferred_username'),
          usernamePrefix: fc.constantFrom(undefined, '', '-', 'oidc:', 'corp/', 'x: y', '"quoted"'),
          groupsClaim: fc.option(claimName, { nil: undefined }),
          groupsPrefix: fc.constantFrom(undefined, 'oidc:', 'team-'),
          required: fc.uniqueArray(fc.tuple(claimName, value), { maxLength: 3, selector: ([name]) => name }),
          withCa: fc.boolean(),
          minor: fc.integer({ min: 30, max: 36 }),
        }),
        async (options) => {
          const input = baseInput({
            mapping: {
              issuerUrl: `https://idp.example.com${options.path}`,
              clientIds: options.audiences,
              ...(options.usernameClaim !== undefined ? { usernameClaim: options.usernameClaim } : {}),
              ...(options.usernamePrefix !== undefined ? { usernamePrefix: options.usernamePrefix } : {}),
              ...(options.groupsClaim !== undefined ? { groupsClaim: options.groupsClaim } : {}),
              ...(options.groupsClaim !== undefined && options.groupsPrefix !== undefined ? { groupsPrefix: options.groupsPrefix } : {}),
              requiredClaims: options.required.map(([name, required]) => `${name}=${required}`),
            },
            caFile: options.withCa ? '/etc/kubernetes/pki/oidc-ca.crt' : undefined,
            version: parseKubernetesVersion(`1.${options.minor}`),
          });
          const text = await render(input);
          checkAuthenticationConfiguration(parse(text) as Node, input);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is accepted by the stand-in API server\'s strict decoder, with the same mapping', async () => {
    const dir = makeTempDir('kube-login-authn-');
    for (const { name, input } of GOLDEN_CASES.filter((c) => c.input.format === 'authentication-config')) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, await render(input));
      const config = configFromAuthenticationFile(file);
      expect(config.issuer).toBe(input.mapping.issuerUrl);
      expect(config.audiences).toEqual(input.mapping.clientIds);
      expect(config.username.prefix).toBe(input.mapping.usernamePrefix === undefined ? (input.mapping.usernameClaim === 'email' ? '' : `${input.mapping.issuerUrl}#`) : input.mapping.usernamePrefix);
    }
  });
});

describe('distribution formats parsed back', () => {
  const oidcArgNames = ['oidc-issuer-url', 'oidc-client-id', 'oidc-username-claim', 'oidc-username-prefix', 'oidc-groups-claim', 'oidc-groups-prefix', 'oidc-required-claim', 'oidc-signing-algs', 'oidc-ca-file'];
  const expectOidcArgs = (args: Array<[string, string]>): void => {
    const names = args.map(([name]) => name);
    for (const name of names) expect([...oidcArgNames, 'authentication-config']).toContain(name);
    if (names.includes('authentication-config')) {
      expect(names).toEqual(['authentication-config']);
      return;
    }
    // The username prefix is written whenever the claim is, so nothing depends on defaulting.
    expect(names).toContain('oidc-username-claim');
    expect(names).toContain('oidc-username-prefix');
    if (names.includes('oidc-groups-prefix')) expect(names).toContain('oidc-groups-claim');
  };

  it.each(GOLDEN_CASES.filter((c) => c.input.format === 'kubeadm'))('kubeadm $name', async ({ input }) => {
    const doc = parse(await render(input)) as Node;
    expect(doc['kind']).toBe('ClusterConfiguration');
    const apiServer = doc['apiServer'] as Node;
    expect(keysOf(doc).sort()).toEqual(['apiServer', 'apiVersion', 'kind']);
    const v1beta4 = doc['apiVersion'] === 'kubeadm.k8s.io/v1beta4';
    expect(v1beta4).toBe(input.kubeadmApiVersion === 'v1beta4' || (input.kubeadmApiVersion === undefined && input.version.minor >= 31));
    const extraArgs = apiServer['extraArgs'];
    let args: Array<[string, string]>;
    if (v1beta4) {
      expect(Array.isArray(extraArgs)).toBe(true);
      for (const arg of extraArgs as Node[]) expect(keysOf(arg).sort()).toEqual(['name', 'value']);
      args = (extraArgs as Node[]).map((arg) => [String(arg['name']), String(arg['value'])]);
    } else {
      expect(Array.isArray(extraArgs)).toBe(false);
      for (const argValue of Object.values(extraArgs as Node)) expect(typeof argValue).toBe('string');
      args = Object.entries(extraArgs as Record<string, string>);
    }
    expectOidcArgs(args);
    const file = args.find(([name]) => name === 'oidc-ca-file' || name === 'authentication-config')?.[1];
    const volumes = (apiServer['extraVolumes'] ?? []) as Node[];
    const mounted = file !== undefined && !file.startsWith('/etc/kubernetes/pki/');
    expect(volumes.length > 0).toBe(mounted);
    for (const volume of volumes) {
      expect(volume).toEqual({ name: expect.stringMatching(/^[a-z0-9-]+$/), hostPath: file, mountPath: file, readOnly: true, pathType: 'File' });
    }
  });

  it.each(GOLDEN_CASES.filter((c) => c.input.format === 'kind'))('kind $name', async ({ input }) => {
    const doc = parse(await render(input)) as Node;
    expect(doc['apiVersion']).toBe('kind.x-k8s.io/v1alpha4');
    const [node] = doc['nodes'] as [Node];
    expect(node['role']).toBe('control-plane');
    const [patchText] = node['kubeadmConfigPatches'] as [string];
    const patch = parse(patchText) as Node;
    // A patch with an apiVersion different from kind's generated one is silently ignored.
    expect(patch['apiVersion']).toBeUndefined();
    expect(patch['kind']).toBe('ClusterConfiguration');
    const extraArgs = (patch['apiServer'] as Node)['extraArgs'] as Record<string, string>;
    expectOidcArgs(Object.entries(extraArgs));
    const mounts = node['extraMounts'] as Node[];
    const file = extraArgs['oidc-ca-file'] ?? extraArgs['authentication-config'];
    expect(mounts).toEqual([{ hostPath: expect.stringMatching(/^\/home\/admin\/cluster\//), containerPath: file, readOnly: true }]);
  });

  it.each(GOLDEN_CASES.filter((c) => c.input.format === 'k3s' || c.input.format === 'rke2'))('$name', async ({ input }) => {
    const doc = parse(await render(input)) as Node;
    const args = doc['kube-apiserver-arg'] as string[];
    for (const arg of args) expect(arg).not.toMatch(/^--/);
    expectOidcArgs(args.map((arg) => [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]));
    const file = args.map((arg) => /^(?:oidc-ca-file|authentication-config)=(.*)$/.exec(arg)?.[1]).find((path) => path !== undefined);
    if (input.format === 'rke2') expect(doc['kube-apiserver-extra-mount']).toEqual([`${file}:${file}:ro`]);
    else expect(doc['kube-apiserver-extra-mount']).toBeUndefined();
  });

  it('flags are --name=value lines of known flags', async () => {
    for (const { input } of GOLDEN_CASES.filter((c) => c.input.format === 'flags')) {
      const lines = (await render(input)).trimEnd().split('\n');
      for (const line of lines) expect(line).toMatch(/^--[a-z-]+=.*$/);
      expectOidcArgs(lines.map((line) => [line.slice(2, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    }
  });

  it('eks passes valid JSON with the API field names', async () => {
    const text = await render(baseInput({ format: 'eks', caFile: undefined, eksClusterName: "it's" }));
    const json = /--oidc '(.*)'\n$/.exec(text)?.[1];
    expect(JSON.parse(json ?? '')).toMatchObject({ identityProviderConfigName: 'kube-login', clientId: 'kubernetes', usernamePrefix: 'oidc:', requiredClaims: { hd: 'example.com' } });
    expect(text).toContain(`--cluster-name 'it'\\''s'`);
  });
});
