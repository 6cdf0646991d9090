// `npm run demo`: kube-login end to end on this machine, with no external provider or cluster.
// It starts an OIDC provider and a stand-in API server on 127.0.0.1, writes a kubeconfig whose
// user runs `kube-login get-token`, and runs the real kubectl through it. Then it cleans up.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prefixedMapping, startApiServer } from '../test/support/apiserver.js';
import { writeExecKubeconfig } from '../test/support/kubeconfig.js';
import { cliEntry, loginDriverScript } from '../test/support/paths.js';
import { startProvider } from '../test/support/provider.js';

const bold = (text: string): string => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);
const step = (n: number, text: string): void => console.log(`\n${bold(`[${n}]`)} ${text}`);

// With no display (SSH, containers, CI) or --headless, a small HTTP driver fills in the login form.
const desktop = process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
const headless = process.argv.includes('--headless') || !desktop;

// Asynchronous on purpose: the provider and the API server run in this very process.
function kubectl(args: string[], kubeconfig: string, home: string): Promise<number> {
  console.log(`\n$ kubectl ${args.join(' ')}`);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, KUBECONFIG: kubeconfig };
  delete env['NODE_EXTRA_CA_CERTS'];
  const started = Date.now();
  const child = spawn('kubectl', args, { stdio: 'inherit', env, timeout: 240_000 });
  return new Promise((resolve) => {
    child.once('error', (error) => {
      console.log(`  could not run kubectl: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      console.log(`\n  (exit ${code ?? signal}, ${Date.now() - started} ms)`);
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), 'kube-login-demo-'));
  step(1, 'Starting an OpenID Connect provider (oidc-provider) on 127.0.0.1 with a demo user…');
  const provider = await startProvider();
  console.log(`    issuer ${provider.issuer}, client "${provider.publicClientId}", user demo-user / demo-password`);

  step(2, 'Starting a stand-in Kubernetes API server that validates OIDC tokens like kube-apiserver…');
  const apiserver = await startApiServer(prefixedMapping(provider.issuer, provider.publicClientId));
  console.log(`    ${apiserver.url}  (--oidc-username-claim=email --oidc-username-prefix=oidc: --oidc-groups-claim=groups --oidc-groups-prefix=oidc:)`);
  try {
    step(3, 'Writing a kubeconfig whose user runs `kube-login get-token`…');
    const args = [
      cliEntry,
      'get-token',
      `--oidc-issuer-url=${provider.issuer}`,
      `--oidc-client-id=${provider.publicClientId}`,
      '--oidc-extra-scope=email,groups,offline_access',
      ...(headless ? [`--browser-command=${process.execPath} ${loginDriverScript}`] : []),
    ];
    const kubeconfig = writeExecKubeconfig({ dir: home, server: apiserver.url, caFile: apiserver.caFile, command: process.execPath, args, contextName: 'demo' });
    console.log(`    ${kubeconfig}`);
    console.log(
      headless
        ? '    No display here (or --headless): the demo fills in the login form itself, over HTTP.'
        : '    Your browser will open the login page: log in as demo-user / demo-password.',
    );

    step(4, 'First kubectl call: no token yet, so kube-login logs in (watch stderr)…');
    if ((await kubectl(['auth', 'whoami'], kubeconfig, home)) !== 0) return 1;
    step(5, 'Second kubectl call: kube-login answers from its cache, with no request to the provider…');
    const before = provider.counts().total;
    if ((await kubectl(['get', '--raw', '/version'], kubeconfig, home)) !== 0) return 1;
    console.log(`    requests to the provider during that call: ${provider.counts().total - before}`);
    step(6, 'Done. The API server saw the user as `oidc:demo@example.com` in the groups `oidc:developers` and `oidc:viewers`.');
    return 0;
  } finally {
    await apiserver.stop();
    await provider.stop();
    rmSync(home, { recursive: true, force: true });
    console.log('\nCleaned up: provider and API server stopped, temporary kubeconfig and cache removed.');
  }
}

process.exitCode = await main();
