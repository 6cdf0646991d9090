// The guided mode in a real pseudo-terminal (tmux): from `kube-login setup` with no provider or cluster
// flags to a written kubeconfig, answering each question as a person would.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeTempHome } from '../../support/cli.js';
import { kubeLoginShellCommand, loginDriverScript, setupExecCommand } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { handWrittenKubeconfig, writeKubeconfig } from './setup-harness.js';
import { startTmux, tmuxAvailable, type TmuxSession } from './tmux.js';

let provider: TestProvider;
beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider?.stop());

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

describe('kube-login setup, guided on a terminal', () => {
  let session: TmuxSession | undefined;
  afterAll(() => session?.kill());

  it('asks for the issuer, the client ID, the mapping and the cluster, then writes the kubeconfig', async (context) => {
    if (!(await tmuxAvailable())) {
      context.skip();
      return;
    }
    const home = makeTempHome();
    const kubeconfig = writeKubeconfig(home, handWrittenKubeconfig('https://127.0.0.1:6443', '/nonexistent/ca.crt'), 0o600);
    const exitFile = join(home, 'exit-code');
    const script = join(home, 'run.sh');
    writeFileSync(
      script,
      [
        `export HOME=${shellQuote(home)}`,
        'unset KUBECONFIG NODE_EXTRA_CA_CERTS',
        `${kubeLoginShellCommand()} setup --browser-command=${shellQuote(`${process.execPath} ${loginDriverScript}`)} --listen-address=127.0.0.1:0 --token-cache-storage=disk --oidc-extra-scope=email,groups,offline_access`,
        `echo "$?" > ${shellQuote(exitFile)}`,
        'sleep 120',
        '',
      ].join('\n'),
    );
    session = await startTmux(`sh ${shellQuote(script)}`);
    const t = session;

    await t.waitFor('kube-login setup: guided mode.');
    await t.waitFor('Issuer URL of the OpenID Connect provider (exactly as it publishes it): ');
    await t.answer(provider.issuer);
    await t.waitFor('Client ID registered at the provider for kubectl: ');
    await t.answer(provider.publicClientId);
    // The checks and the browser login run; then the mapping questions, with defaults from the token.
    await t.waitFor('Username claim [email]: ');
    const screen = await t.capture();
    expect(screen).toContain('✓ PKCE S256 is supported');
    expect(screen).toContain('✓ refresh tokens: offline_access is in scopes_supported');
    expect(screen).toContain('kube-login: logged in as demo@example.com');
    await t.answer('');
    await t.waitFor('Username prefix (empty: none for the email claim; - for none) []: ');
    await t.answer('');
    await t.waitFor('Groups claim (empty: no groups) [groups]: ');
    await t.answer('');
    await t.waitFor(/Groups prefix .* \[oidc:\]: $/m);
    await t.answer('');
    await t.waitFor('Groups:   [oidc:developers oidc:viewers system:authenticated]');
    // The clusters of the kubeconfig are offered, with the contexts that use them; the current one is the default.
    await t.waitFor('Choose a number [2]: ');
    const choices = await t.capture();
    expect(choices).toContain('Which cluster should kubectl log in to with this provider?');
    expect(choices).toContain('  1) test-cluster  https://127.0.0.1:6443');
    expect(choices).toContain('  2) elsewhere  https://203.0.113.7:6443  (contexts: admin@elsewhere)');
    expect(choices).toContain('  3) a new cluster: enter its API server URL');
    await t.answer('1');
    await t.waitFor(`Name of the kubeconfig user [oidc-127.0.0.1-${provider.port}-kube-login]: `);
    await t.answer('');
    await t.waitFor('Name of the kubeconfig context [oidc@test-cluster]: ');
    await t.answer('');
    await t.waitFor('Default namespace of the context (empty: none) []: ');
    await t.answer('team-a');
    await t.waitFor('Make oidc@test-cluster the current context? [y/N]: ');
    await t.answer('y');
    await t.waitFor(`Write it to ${kubeconfig}? [Y/n]: `);
    // The terminal shows the diff's tab as spaces.
    expect(await t.capture()).toMatch(new RegExp(`\\+\\+\\+ ${kubeconfig}\\s+after kube-login`));
    await t.answer('');
    await t.waitFor('kubectl --context oidc@test-cluster auth whoami');
    if (process.env['KUBE_LOGIN_SETUP_TRANSCRIPT']) writeFileSync(process.env['KUBE_LOGIN_SETUP_TRANSCRIPT'], await t.capture());

    for (let i = 0; i < 50 && readFileSyncSafe(exitFile) === undefined; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readFileSyncSafe(exitFile)?.trim()).toBe('0');
    const config = parse(readFileSync(kubeconfig, 'utf8')) as Record<string, Array<{ name: string; [key: string]: unknown }>>;
    expect(config['current-context']).toBe('oidc@test-cluster');
    expect(config['contexts']).toContainEqual({ name: 'oidc@test-cluster', context: { cluster: 'test-cluster', user: `oidc-127.0.0.1-${provider.port}-kube-login`, namespace: 'team-a' } });
    const user = config['users']!.find((entry) => entry.name === `oidc-127.0.0.1-${provider.port}-kube-login`);
    expect(user?.['user']).toMatchObject({ exec: { command: setupExecCommand(), interactiveMode: 'IfAvailable', args: expect.arrayContaining([`--oidc-issuer-url=${provider.issuer}`, '--oidc-client-id=kube-login']) } });
    expect(readFileSync(kubeconfig, 'utf8')).toContain('# My clusters. Please keep this comment.');
  });
});

function readFileSyncSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
