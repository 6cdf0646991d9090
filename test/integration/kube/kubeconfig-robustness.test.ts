// Kubeconfigs as people (and attackers) write them, through the built CLI: anchors that kubectl reads
// (doctor must too), an alias bomb and a 9 MB file (refused before any provider contact), and, as
// root, a symbolic link that another user planted at the kubeconfig path (issue 9 items 7 and 8,
// issue 12 section 4).
import { existsSync, lchownSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApiServer, startApiServer } from '../../support/apiserver.js';
import { runCli } from '../../support/cli.js';
import { runKubectl } from '../../support/kubeconfig.js';
import { cliEntry, loginDriverScript } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { type Machine, machine } from '../get-token/harness.js';

const asRoot = process.getuid?.() === 0;

/** Two users sharing one args list through an anchor, and a context whose body comes from a merge key. */
function anchoredKubeconfig(m: Machine, server: string, caFile: string): string {
  const args = JSON.stringify([cliEntry, 'get-token', ...m.flags]);
  return `apiVersion: v1
kind: Config
clusters:
- name: k
  cluster:
    server: ${server}
    certificate-authority: ${caFile}
users:
- name: alice
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${process.execPath}
      args: &a1 ${args}
      interactiveMode: IfAvailable
- name: bob
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ${process.execPath}
      args: *a1
      interactiveMode: IfAvailable
contexts:
- name: alice
  context: &ctx {cluster: k, user: alice}
- name: bob
  context:
    <<: *ctx
    user: bob
current-context: alice
`;
}

/** Nine levels of ten aliases: a dozen lines that expand to 10^10 strings. */
function aliasBomb(): string {
  const lines = ['preferences:', '  a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++) lines.push(`  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  return `apiVersion: v1\nkind: Config\n${lines.join('\n')}\nclusters: []\ncontexts: []\nusers: []\n`;
}

describe('kubeconfig robustness', () => {
  let provider: TestProvider;
  let apiserver: TestApiServer;
  beforeAll(async () => {
    provider = await startProvider();
    apiserver = await startApiServer({ issuer: provider.issuer, audiences: [provider.publicClientId], usernameClaim: 'email', groupsClaim: 'groups' });
  });
  afterAll(async () => {
    await apiserver?.stop();
    await provider?.stop();
  });

  /** setup without questions against the test provider, writing `kubeconfig`. */
  function setup(m: Machine, kubeconfig: string | undefined, extra: string[] = []) {
    const flags = [
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.publicClientId}`,
      `--browser-command=${process.execPath} ${loginDriverScript}`,
      '--listen-address=127.0.0.1:0',
      '--token-cache-storage=disk',
      `--server=${apiserver.url}`,
      '--yes',
      ...(kubeconfig ? [`--kubeconfig=${kubeconfig}`] : []),
      ...extra,
    ];
    return runCli(['setup', ...flags], { env: { HOME: m.home, KUBECONFIG: undefined }, timeoutMs: 30_000 });
  }

  it('doctor --context reads users that share their args through an anchor, as kubectl does', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const path = join(m.home, 'anchored.kubeconfig');
    writeFileSync(path, anchoredKubeconfig(m, apiserver.url, apiserver.caFile), { mode: 0o600 });
    // kubectl itself expands the alias and the merge key (run async: its version check may run the plugin).
    const view = await runKubectl(['config', 'view', '--context', 'bob', '--minify', '-o', 'jsonpath={.users[0].user.exec.args[1]} {.contexts[0].context.cluster}'], {
      kubeconfig: path,
      env: { HOME: m.home },
    });
    const kubectlView = view.stdout;
    expect(kubectlView).toBe('get-token k');
    const result = await runCli(['doctor', '--kubeconfig', path, '--context', 'bob'], { env: { HOME: m.home, KUBECONFIG: undefined } });
    expect(result.stderr).not.toContain('YAML anchor');
    expect(result.stderr).toContain(`✓ context "bob" in ${path}: user bob, cluster k at ${apiserver.url}`);
    expect(result.stderr).toContain(`✓ the exec args parse as get-token flags: issuer ${provider.issuer}`);
    expect(result.code, result.stderr).toBe(0);
  });

  it('setup refuses the same anchors, saying why and how to write the entries without them, before any provider contact', async () => {
    const m = machine(provider);
    const path = join(m.home, 'anchored.kubeconfig');
    const text = anchoredKubeconfig(m, apiserver.url, apiserver.caFile);
    writeFileSync(path, text, { mode: 0o600 });
    const before = provider.counts().total;
    const result = await setup(m, path);
    expect(result.code, result.stderr).toBe(10);
    expect(result.stderr).toContain(`kube-login: could not understand the kubeconfig ${path}: ${path}:`);
    expect(result.stderr).toContain('setup edits these entries, and an edit through a node that several places share would change all of them');
    expect(result.stderr).toContain('fix: write the entries out in full: replace each alias (*name) with a copy of the value its anchor (&name) marks');
    expect(provider.counts().total).toBe(before);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('an alias bomb under preferences: makes setup fail fast with a clear message and no login attempted', async () => {
    const m = machine(provider);
    const path = join(m.home, 'bomb.kubeconfig');
    writeFileSync(path, aliasBomb(), { mode: 0o600 });
    const before = provider.counts();
    for (const extra of [['--dry-run'], []]) {
      const result = await setup(m, path, extra);
      expect(result.code, result.stderr).toBe(10);
      expect(result.stderr).toContain(`its YAML aliases expand to more than 100 copies of shared nodes (an "alias bomb")`);
      expect(result.stderr).not.toContain('this is a bug');
    }
    expect(provider.counts().authorizationCode).toBe(before.authorizationCode);
    expect(provider.counts().total).toBe(before.total);
    expect(existsSync(m.driverLog)).toBe(false);
    // doctor, which only reads, names it too instead of failing as a bug.
    const doctor = await runCli(['doctor', '--kubeconfig', path], { env: { HOME: m.home, KUBECONFIG: undefined } });
    expect(doctor.stderr).toContain('an "alias bomb"');
    expect(doctor.stderr).not.toContain('this is a bug');
  });

  it('refuses a 9 MB kubeconfig with the size and the cap, before reading it', async () => {
    const m = machine(provider);
    const path = join(m.home, 'huge.kubeconfig');
    const filler = `# ${'x'.repeat(98)}\n`.repeat(90_000);
    writeFileSync(path, `apiVersion: v1\nkind: Config\n${filler}`, { mode: 0o600 });
    const before = provider.counts().total;
    const result = await setup(m, path, ['--dry-run']);
    expect(result.code, result.stderr).toBe(10);
    expect(result.stderr).toContain(`kube-login: could not read the kubeconfig ${path}: the file is 8.7 MiB, more than the 4.0 MiB kube-login reads (kubeconfigs are kilobytes)`);
    expect(provider.counts().total).toBe(before);
    const doctor = await runCli(['doctor', '--kubeconfig', path], { env: { HOME: m.home, KUBECONFIG: undefined } });
    expect(doctor.stderr).toContain('more than the 4.0 MiB kube-login reads');
  });

  it.skipIf(!asRoot)("setup as root refuses a user's dangling symbolic link at the kubeconfig path, before the login", async () => {
    const m = machine(provider);
    mkdirSync(join(m.home, '.kube'), { recursive: true });
    const target = join(m.home, 'chosen-by-the-user');
    const link = join(m.home, '.kube', 'config');
    symlinkSync(target, link);
    lchownSync(link, 65534, 65534);
    const before = provider.counts().total;
    // The default kubeconfig (HOME/.kube/config), and the same path given with --kubeconfig.
    for (const [kubeconfig, extra] of [[undefined, ['--dry-run']], [undefined, []], [link, []]] as const) {
      const result = await setup(m, kubeconfig, [...extra]);
      expect(result.code, result.stderr).toBe(10);
      expect(result.stderr).toContain(
        `kube-login: could not use the kubeconfig ${link}: it is a symbolic link owned by uid 65534 to ${target}, which does not exist, and kube-login runs as root`,
      );
      expect(existsSync(target)).toBe(false);
    }
    expect(provider.counts().total).toBe(before);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it.skipIf(!asRoot)("setup as root refuses another user's symbolic link to an existing kubeconfig", async () => {
    const m = machine(provider);
    const target = join(m.home, 'real.kubeconfig');
    writeFileSync(target, 'apiVersion: v1\nkind: Config\n', { mode: 0o600 });
    const link = join(m.home, 'link.kubeconfig');
    symlinkSync(target, link);
    lchownSync(link, 65534, 65534);
    const result = await setup(m, link, ['--dry-run']);
    expect(result.code, result.stderr).toBe(10);
    expect(result.stderr).toContain(`it is a symbolic link owned by uid 65534 to ${target}, and kube-login runs as root`);
    expect(readFileSync(target, 'utf8')).toBe('apiVersion: v1\nkind: Config\n');
  });
});
