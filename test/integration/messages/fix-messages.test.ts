// Messages seen by people, each with the fix that actually helps (issue 12 §3): the built CLI as a
// person runs it; only logout needs a provider (oidc-provider over https with a private CA).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempHome, runCli } from '../../support/cli.js';
import { kubeLogin } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { machine } from '../get-token/harness.js';
import { GOLDEN_DIR } from '../../unit/apiserver/golden.js';

const env = (home: string) => ({ HOME: home, KUBECONFIG: undefined, KUBECACHEDIR: undefined });

describe('fix texts', () => {
  it('an unknown command points to the list of commands', async () => {
    const result = await runCli(['frobnicate'], { env: env(makeTempHome()) });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("kube-login: could not read the command line: unknown command 'frobnicate'\n  fix: run `kube-login --help` for the list of commands\n");
  });

  it('a port on fetch\'s blocked list is named as such, with another port as the fix', async () => {
    const result = await runCli(['get-token', '--oidc-issuer-url', 'http://127.0.0.1:9/', '--oidc-client-id', 'a', '--token-cache-storage', 'disk'], { env: env(makeTempHome()) });
    expect(result.code).toBe(3);
    expect(result.stderr).not.toContain('bad port');
    if (kubeLogin.kind === 'executable') {
      // Bun's fetch has no blocked-port list: it connects, and the message is the real outcome.
      expect(result.stderr).toContain('nothing is listening at 127.0.0.1:9 (connection refused)');
      return;
    }
    expect(result.stderr).toContain("the HTTP client (Node's fetch) refuses to connect to port 9: it is on the Fetch standard's list of blocked ports\n");
    expect(result.stderr).toContain('  fix: serve the provider on another port');
  });

  it.each([['-v1'], ['--v=1'], ['-v=2'], ['--v', '1']])('%s (kubelogin\'s klog level) is taken as --verbose', async (...flag) => {
    const result = await runCli(['get-token', '--oidc-issuer-url', 'https://idp.example.com', '--oidc-client-id', 'a', '--token-cache-storage', 'disk', '--no-login', ...flag], {
      env: env(makeTempHome()),
    });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('kube-login: could not get a token: no valid or refreshable token is cached');
    // Verbose output: the stack of the error.
    expect(result.stderr).toContain('\n  at: ');
  });

  it('--v=0 is level 0: not verbose, and not an error', async () => {
    const result = await runCli(['get-token', '--oidc-issuer-url', 'https://idp.example.com', '--oidc-client-id', 'a', '--token-cache-storage', 'disk', '--no-login', '--v=0'], { env: env(makeTempHome()) });
    expect(result.code).toBe(6);
    expect(result.stderr).not.toContain('  at: ');
  });

  it('--token-cache-storage none with --no-login: says nothing is ever cached, never "later calls use the cached token"', async () => {
    const result = await runCli(['get-token', '--oidc-issuer-url', 'https://idp.example.com', '--oidc-client-id', 'a', '--token-cache-storage', 'none', '--no-login'], { env: env(makeTempHome()) });
    expect(result.code).toBe(6);
    expect(result.stderr).not.toContain('later calls use the cached token');
    expect(result.stderr).toContain('with --token-cache-storage none no token is ever cached, so --no-login always fails');
    expect(result.stderr).toContain('  fix: use --token-cache-storage auto (or keyring, or disk)');
  });

  it('--no-login with a plain-http issuer off this machine reports the refusal, not a login command that would fail', async () => {
    const result = await runCli(['get-token', '--oidc-issuer-url', 'http://idp.example.com', '--oidc-client-id', 'a', '--token-cache-storage', 'disk', '--no-login'], { env: env(makeTempHome()) });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('kube-login: could not use the issuer http://idp.example.com: plain http is allowed only for a provider on this machine (loopback)\n  fix: use the https URL of the provider\n');
  });

  it('--output in a folder that does not exist names the folder, not the temporary file', async () => {
    const home = makeTempHome();
    const output = join(home, 'no-such-dir', 'x.yaml');
    const result = await runCli(['apiserver-config', '--oidc-issuer-url', 'https://idp.example.com', '--oidc-client-id', 'a', '--offline', '--quiet', '--output', output], { env: env(home) });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`kube-login: could not write ${output}: the folder ${join(home, 'no-such-dir')} does not exist\n  fix: pass --output with a path in a folder that exists and that you can write to\n`);
    expect(result.stderr).not.toContain('.tmp');
    expect(existsSync(join(home, 'no-such-dir'))).toBe(false);
    expect(readdirSync(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('logout when the provider\'s certificate does not verify', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider({ https: true });
  });
  afterAll(async () => provider?.stop());

  it('suggests --certificate-authority (as get-token does), then --local-only, and keeps the tokens', async () => {
    const m = machine(provider, [`--certificate-authority=${provider.caFile}`]);
    const login = await m.run();
    expect(login.code, login.stderr).toBe(0);
    const withoutCa = m.flags.filter((flag) => !flag.startsWith('--certificate-authority'));
    const result = await runCli(['logout', ...withoutCa], { env: { HOME: m.home } });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('the certificate is signed by a CA that is not trusted');
    expect(result.stderr).toContain("\n  fix: pass the CA that signed the provider's certificate with --certificate-authority FILE (as get-token does), or pass --local-only to delete the cached tokens without revoking them\n");
    expect(existsSync(m.entryPath())).toBe(true);
  });
});

describe('apiserver-config notes', () => {
  const flags = ['apiserver-config', '--oidc-issuer-url', 'https://idp.example.com', '--oidc-client-id', 'a', '--username-prefix', 'oidc:', '--offline'];

  it('prints only notes the reader acts on: how to load the file (and drop the --oidc-* flags) and what --offline skipped', async () => {
    const result = await runCli(flags, { env: env(makeTempHome()) });
    expect(result.code).toBe(0);
    const notes = result.stderr.split('\n').filter((line) => line.startsWith('kube-login: note:'));
    expect(notes).toEqual([
      'kube-login: note: load it with the kube-apiserver flag --authentication-config=/etc/kubernetes/authentication-config.yaml, and remove every --oidc-* flag: kube-apiserver refuses both together',
      'kube-login: note: a kubeadm-made kube-apiserver pod does not mount /etc/kubernetes/authentication-config.yaml: --format kubeadm --via authentication-config adds the extraVolumes entry',
      'kube-login: note: --offline: the provider was not contacted, so the issuer, algorithms, claims and token signature were not checked against it',
    ]);
  });

  it('--quiet drops every note and keeps the warnings', async () => {
    const quiet = await runCli(flags.concat('--quiet'), { env: env(makeTempHome()) });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain('kind: AuthenticationConfiguration');
    const eks = await runCli(
      ['apiserver-config', '--oidc-issuer-url', 'https://idp.example.com', '--oidc-client-id', 'a', '--offline', '--quiet', '--format', 'eks', '--eks-cluster-name', 'c', '--ca-file', join(GOLDEN_DIR, 'ca.pem')],
      { env: env(makeTempHome()) },
    );
    expect(eks.code).toBe(0);
    expect(eks.stderr).toContain('kube-login: warning: --ca-file');
    expect(eks.stderr).not.toContain('note:');
  });
});
