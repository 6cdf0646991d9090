// The guided mode in a real pseudo-terminal (tmux): from `kube-login setup` with no provider or cluster
// flags to a written kubeconfig, answering each question as a person would, wrong answers included.
// The first run is also the transcript in docs/setup.md (KUBE_LOGIN_UPDATE_DOCS=1 rewrites it).
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { makeTempHome } from '../../support/cli.js';
import { loginDriverEnv } from '../../support/login-driver-control.js';
import { kubeLoginShellCommand, loginDriverScript, repoRoot, setupExecCommand } from '../../support/paths.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { handWrittenKubeconfig, writeKubeconfig } from './setup-harness.js';
import { startTmux, tmuxAvailable, type TmuxSession } from './tmux.js';
import { TRANSCRIPT_END, TRANSCRIPT_START, normalizeTranscript, transcriptBlock } from './transcript.js';

let provider: TestProvider;
let httpsProvider: TestProvider;
let haveTmux = false;
beforeAll(async () => {
  haveTmux = await tmuxAvailable();
  [provider, httpsProvider] = await Promise.all([startProvider(), startProvider({ https: true })]);
});
afterAll(async () => {
  await provider?.stop();
  await httpsProvider?.stop();
});

const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * The flags that stand in for this machine's missing pieces and change no question or check: the
 * HTTP login driver as the browser, a free loopback port, and files instead of the OS keychain.
 */
const harnessFlags = (listenPort: number): string[] => ['--browser-command=login-driver', `--listen-address=127.0.0.1:${listenPort}`, '--token-cache-storage=disk'];
// A fixed port, as the docs advise (providers that match redirect URIs exactly need one); free now.
let HARNESS_FLAGS: string[] = [];
let listenPort = 0;
beforeAll(async () => {
  listenPort = await closedPort();
  HARNESS_FLAGS = harnessFlags(listenPort);
});

interface Run {
  readonly t: TmuxSession;
  readonly home: string;
  readonly kubeconfig: string;
  exitCode(): Promise<string | undefined>;
}

let session: TmuxSession | undefined;
afterEach(async () => {
  await session?.kill();
  session = undefined;
});

/** Starts `kube-login setup ARGS` in a tmux terminal, with a hand-written kubeconfig in a fresh HOME. */
async function startSetup(args: readonly string[], driverCaFile?: string): Promise<Run> {
  const home = makeTempHome();
  const kubeconfig = writeKubeconfig(home, handWrittenKubeconfig('https://127.0.0.1:6443', '/nonexistent/ca.crt'), 0o600);
  const exitFile = join(home, 'exit-code');
  const script = join(home, 'run.sh');
  // `login-driver` on PATH is the test browser; the shown flags are exactly the ones run. Its output
  // stays off the terminal: a Node process restores, when it exits, the terminal mode it found at its
  // start, which would turn off the raw mode of the question being asked at that moment.
  writeFileSync(join(home, 'login-driver'), `#!/bin/sh\nexec ${shellQuote(process.execPath)} ${shellQuote(loginDriverScript)} "$@" >/dev/null 2>>${shellQuote(join(home, 'driver.err'))}\n`, { mode: 0o755 });
  const driverEnv = Object.entries(loginDriverEnv({ log: join(home, 'driver.log'), ...(driverCaFile ? { caFile: driverCaFile } : {}) })).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  writeFileSync(
    script,
    [
      `export HOME=${shellQuote(home)}`,
      `export PATH=${shellQuote(home)}:"$PATH"`,
      ...driverEnv,
      'unset KUBECONFIG NODE_EXTRA_CA_CERTS KUBECACHEDIR',
      `${kubeLoginShellCommand()} setup ${args.map(shellQuote).join(' ')}`,
      `echo "$?" > ${shellQuote(exitFile)}`,
      'sleep 120',
      '',
    ].join('\n'),
  );
  session = await startTmux(`sh ${shellQuote(script)}`);
  const exitCode = async (): Promise<string | undefined> => {
    for (let i = 0; i < 100; i++) {
      const text = readOrUndefined(exitFile);
      if (text !== undefined) return text.trim();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return undefined;
  };
  return { t: session, home, kubeconfig, exitCode };
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const count = (text: string, part: string): number => text.split(part).length - 1;

describe('kube-login setup, guided on a terminal', () => {
  it('asks for the issuer, the client ID, the scopes, the cluster and the mapping, then writes the kubeconfig (the docs transcript)', async (context) => {
    if (!haveTmux) return context.skip();
    const { t, home, kubeconfig, exitCode } = await startSetup(HARNESS_FLAGS);

    await t.waitFor('kube-login setup: guided mode.');
    await t.waitFor('Issuer URL of the OpenID Connect provider (exactly as it publishes it): ');
    await t.answer(provider.issuer);
    await t.waitFor('Client ID registered at the provider for kubectl: ');
    await t.answer(provider.publicClientId);
    // The checks run, then the scopes: email, groups and offline_access as the provider lists them.
    await t.waitFor('Scopes to request besides openid (separated by spaces; - for none) [email groups offline_access]: ');
    const checks = await t.capture();
    expect(checks).toContain('✓ PKCE S256 is supported');
    expect(checks).toContain('✓ refresh tokens: offline_access is in scopes_supported');
    expect(checks).toContain('The provider lists these scopes: openid offline_access profile email groups');
    await t.answer('');
    // The kubeconfig questions come before the login: every answer is checked while it is asked.
    await t.waitFor('Choose a number [2]: ');
    const choices = await t.capture();
    expect(choices).toContain('Which cluster should kubectl log in to with this provider?');
    expect(choices).toContain('  1) test-cluster  https://127.0.0.1:6443');
    expect(choices).toContain('  2) elsewhere  https://203.0.113.7:6443  (contexts: admin@elsewhere)');
    expect(choices).toContain('  3) a new cluster: enter its API server URL');
    expect(choices).not.toContain('Logging in once');
    await t.answer('1');
    await t.waitFor(`Name of the kubeconfig user [oidc-127.0.0.1-${provider.port}-kube-login]: `);
    await t.answer('');
    await t.waitFor('Name of the kubeconfig context [oidc@test-cluster]: ');
    await t.answer('');
    await t.waitFor('Default namespace of the context (empty: none) []: ');
    await t.answer('team-a');
    await t.waitFor('Make oidc@test-cluster the current context? [y/N]: ');
    await t.answer('y');
    // The login, then the mapping questions with defaults from the token.
    await t.waitFor('Username claim [email]: ');
    expect(await t.capture()).toContain('kube-login: logged in as demo@example.com');
    await t.answer('');
    await t.waitFor('Username prefix (empty: none for the email claim; - for none) []: ');
    await t.answer('');
    await t.waitFor('Groups claim (empty: no groups) [groups]: ');
    await t.answer('');
    await t.waitFor(/Groups prefix .* \[oidc:\]: $/m);
    await t.answer('');
    await t.waitFor('Groups:   [oidc:developers oidc:viewers system:authenticated]');
    await t.waitFor(`Write it to ${kubeconfig}? [Y/n]: `);
    // The terminal shows the diff's tab as spaces.
    expect(await t.capture()).toMatch(new RegExp(`\\+\\+\\+ ${kubeconfig}\\s+after kube-login`));
    await t.answer('');
    await t.waitFor('kubectl --context oidc@test-cluster auth whoami');
    expect(await exitCode()).toBe('0');

    const config = parse(readFileSync(kubeconfig, 'utf8')) as Record<string, Array<{ name: string; [key: string]: unknown }>>;
    expect(config['current-context']).toBe('oidc@test-cluster');
    expect(config['contexts']).toContainEqual({ name: 'oidc@test-cluster', context: { cluster: 'test-cluster', user: `oidc-127.0.0.1-${provider.port}-kube-login`, namespace: 'team-a' } });
    const user = config['users']!.find((entry) => entry.name === `oidc-127.0.0.1-${provider.port}-kube-login`);
    expect(user?.['user']).toMatchObject({
      exec: { command: setupExecCommand(), interactiveMode: 'IfAvailable', args: expect.arrayContaining([`--oidc-issuer-url=${provider.issuer}`, '--oidc-client-id=kube-login', '--oidc-extra-scope=email', '--oidc-extra-scope=groups', '--oidc-extra-scope=offline_access']) },
    });
    expect(readFileSync(kubeconfig, 'utf8')).toContain('# My clusters. Please keep this comment.');

    // docs/setup.md shows this very run: the command above and what the terminal showed.
    const transcript = normalizeTranscript(`$ kube-login setup ${HARNESS_FLAGS.join(' ')}\n${await t.capture()}`, { home, providerPort: provider.port, listenPort });
    const docsPath = join(repoRoot, 'docs', 'setup.md');
    const docs = readFileSync(docsPath, 'utf8');
    if (process.env['KUBE_LOGIN_UPDATE_DOCS']) {
      const start = docs.indexOf(TRANSCRIPT_START);
      const end = docs.indexOf(TRANSCRIPT_END);
      expect(start).toBeGreaterThan(-1);
      writeFileSync(docsPath, `${docs.slice(0, start)}${TRANSCRIPT_START}\n${'```'}\n${transcript}${'```'}\n${docs.slice(end)}`);
    } else {
      if (process.env['KUBE_LOGIN_TRANSCRIPT_OUT']) writeFileSync(process.env['KUBE_LOGIN_TRANSCRIPT_OUT'], transcript);
      const documented = transcriptBlock(docs);
      expect(documented, `docs/setup.md has no guided transcript between ${TRANSCRIPT_START} and ${TRANSCRIPT_END}`).toBeDefined();
      expect(documented, 'docs/setup.md\'s guided transcript differs from a real run: rerun this test with KUBE_LOGIN_UPDATE_DOCS=1 and review the diff').toBe(transcript);
    }
  });

  it('explains a wrong answer and asks again: http off this machine, a provider that does not answer, a bad namespace, system: prefixes', async (context) => {
    if (!haveTmux) return context.skip();
    const { t, kubeconfig, exitCode } = await startSetup(HARNESS_FLAGS);
    const nobody = `http://127.0.0.1:${await closedPort()}`;

    await t.waitFor('Issuer URL of the OpenID Connect provider (exactly as it publishes it): ');
    await t.answer('http://192.0.2.10/realms/main');
    await t.waitFor('  the issuer uses http, not https (192.0.2.10): serve the provider over https and pass its https URL');
    await t.answer(nobody);
    await t.waitFor('Client ID registered at the provider for kubectl: ');
    await t.answer(provider.publicClientId);
    await t.waitFor(`  ✗ could not read the discovery document: nothing is listening at ${nobody.slice('http://'.length)} (connection refused)`);
    // Asked again, with the last answer as the default (Enter retries once the provider is up).
    await t.waitFor(`Issuer URL of the OpenID Connect provider (exactly as it publishes it) [${nobody}]: `);
    await t.answer(provider.issuer);
    await t.waitFor('[email groups offline_access]: ');
    await t.answer('');
    await t.waitFor('Choose a number [2]: ');
    await t.answer('1');
    await t.waitFor('Name of the kubeconfig user');
    await t.answer('');
    await t.waitFor('Name of the kubeconfig context');
    await t.answer('');
    await t.waitFor('Default namespace of the context (empty: none) []: ');
    await t.answer('Team_A');
    await t.waitFor(`  "Team_A" is not a namespace name: a namespace is a DNS-1123 label`);
    await t.answer('team-a');
    await t.waitFor('Make oidc@test-cluster the current context? [y/N]: ');
    await t.answer('');
    await t.waitFor('Username claim [email]: ');
    await t.answer('');
    await t.waitFor('Username prefix (empty: none for the email claim; - for none) []: ');
    await t.answer('system:oidc:');
    await t.waitFor('  the system: prefix is reserved for Kubernetes system users and groups');
    await t.answer('');
    await t.waitFor('Groups claim (empty: no groups) [groups]: ');
    await t.answer('');
    await t.waitFor(/Groups prefix .* \[oidc:\]: $/m);
    await t.answer('system:');
    await t.waitFor(/reserved for Kubernetes system users and groups[^\n]*\n[^\n]*Groups prefix .* \[oidc:\]: $/m);
    await t.answer('');
    await t.waitFor(`Write it to ${kubeconfig}? [Y/n]: `);
    await t.answer('');
    await t.waitFor('kubectl --context oidc@test-cluster auth whoami');
    expect(await exitCode()).toBe('0');
    const screen = await t.capture();
    // One login, after every question that could be checked before it; no error ended the run.
    expect(count(screen, 'Logging in once')).toBe(1);
    expect(screen).not.toContain('kube-login: could not');
    const config = parse(readFileSync(kubeconfig, 'utf8')) as Record<string, Array<{ name: string; [key: string]: unknown }>>;
    expect(config['contexts']).toContainEqual({ name: 'oidc@test-cluster', context: { cluster: 'test-cluster', user: `oidc-127.0.0.1-${provider.port}-kube-login`, namespace: 'team-a' } });
  });

  it('asks for the CA file when the provider\'s certificate does not verify, and writes it into the exec args', async (context) => {
    if (!haveTmux) return context.skip();
    const { t, home, kubeconfig, exitCode } = await startSetup(HARNESS_FLAGS, httpsProvider.caFile);
    await t.waitFor('Issuer URL of the OpenID Connect provider (exactly as it publishes it): ');
    await t.answer(httpsProvider.issuer);
    await t.waitFor('Client ID registered at the provider for kubectl: ');
    await t.answer(httpsProvider.publicClientId);
    await t.waitFor(`  ✗ could not read the discovery document: TLS to 127.0.0.1:${httpsProvider.port} failed: the certificate is signed by a CA that is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`);
    await t.waitFor("PEM file of the CA that signed the provider's certificate (empty: enter another issuer URL) []: ");
    await t.answer(join(home, 'no-such-ca.pem'));
    await t.waitFor(`  cannot read ${join(home, 'no-such-ca.pem')}: enter the path of a readable PEM file`);
    await t.answer(httpsProvider.caFile!);
    await t.waitFor('[email groups offline_access]: ');
    expect(await t.capture()).toContain(`  ✓ read the discovery document ${httpsProvider.issuer}/.well-known/openid-configuration`);
    await t.answer('');
    await t.waitFor('Choose a number [2]: ');
    await t.answer('1');
    for (const question of ['Name of the kubeconfig user', 'Name of the kubeconfig context', 'Default namespace of the context', 'Make oidc@test-cluster the current context?']) {
      await t.waitFor(question);
      await t.answer('');
    }
    for (const question of ['Username claim [email]: ', 'Username prefix', 'Groups claim', 'Groups prefix']) {
      await t.waitFor(question);
      await t.answer('');
    }
    await t.waitFor(`Write it to ${kubeconfig}? [Y/n]: `);
    await t.answer('');
    // The provider CA also goes into the API server configuration of the next steps.
    await t.waitFor('kubectl --context oidc@test-cluster auth whoami');
    const nextSteps = (await t.capture()).split('Next steps')[1] ?? '';
    expect(nextSteps).toContain(httpsProvider.caFile);
    expect(await exitCode()).toBe('0');
    const config = parse(readFileSync(kubeconfig, 'utf8')) as Record<string, Array<{ name: string; [key: string]: unknown }>>;
    const user = config['users']!.find((entry) => entry.name === `oidc-127.0.0.1-${httpsProvider.port}-kube-login`);
    expect(user?.['user']).toMatchObject({ exec: { args: expect.arrayContaining([`--certificate-authority=${httpsProvider.caFile}`]) } });
  });

  it('prints an error once: a failed check is one ✗ line with its question asked again, and stopping there is one error line', async (context) => {
    if (!haveTmux) return context.skip();
    const { t, kubeconfig, exitCode } = await startSetup(['--oidc-issuer-url=http://192.0.2.10/realms/main', '--oidc-client-id=kube-login', ...HARNESS_FLAGS]);
    const original = readFileSync(kubeconfig, 'utf8');
    await t.waitFor('Issuer URL of the OpenID Connect provider (exactly as it publishes it) [http://192.0.2.10/realms/main]: ');
    await t.press('C-c');
    expect(await exitCode()).toBe('130');
    const screen = await t.capture();
    expect(count(screen, 'the issuer uses http, not https (192.0.2.10)')).toBe(1);
    expect(screen).toContain('  ✗ the issuer uses http, not https (192.0.2.10)\n    fix: serve the provider over https');
    expect(count(screen, 'kube-login: could not')).toBe(1);
    expect(screen).toContain('kube-login: could not finish setup: stopped at a question (Ctrl-C or end of input); nothing was written');
    expect(readFileSync(kubeconfig, 'utf8')).toBe(original);
  });
});

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
