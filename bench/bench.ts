// `npm run bench`: the cost kube-login adds to every kubectl command, measured side by side.
// Targets (issue #2): a cache-hit get-token ≤ 1.3× `node -e 0`; `kubectl get --raw /version`
// through the plugin ≤ 1.5× the same with a static token. NODE_EXTRA_CA_CERTS is unset for the
// headline figures (users rarely have it) and measured separately when the machine has a bundle.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { startApiServer } from '../test/support/apiserver.js';
import { writeExecKubeconfig } from '../test/support/kubeconfig.js';
import { cliEntry, loginDriverScript } from '../test/support/paths.js';
import { startProvider } from '../test/support/provider.js';
import { type Subject, compare, table } from './measure.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const runs = Number(process.env['BENCH_RUNS'] ?? 30);
const baseEnv = (home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
  delete env['NODE_EXTRA_CA_CERTS'];
  delete env['KUBERNETES_EXEC_INFO'];
  return env;
};

const home = mkdtempSync(join(tmpdir(), 'kube-login-bench-'));
const provider = await startProvider({ idTokenTtlSeconds: 3600 });
const apiserver = await startApiServer({ issuer: provider.issuer, audiences: [provider.publicClientId], groupsClaim: 'groups' });
try {
  const flags = [
    'get-token',
    `--oidc-issuer-url=${provider.issuer}`,
    `--oidc-client-id=${provider.publicClientId}`,
    '--oidc-extra-scope=email,groups,offline_access',
    `--browser-command=${process.execPath} ${loginDriverScript}`,
    '--listen-address=127.0.0.1:0',
  ];
  const diskFlags = [...flags, '--token-cache-storage=disk'];
  const login = await promisify(execFile)(process.execPath, [cliEntry, ...diskFlags], { env: baseEnv(home), encoding: 'utf8' });
  const token = (JSON.parse(login.stdout) as { status: { token: string } }).status.token;

  const execInfo = JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1', spec: { interactive: false } });
  const hitEnv = baseEnv(home, { KUBERNETES_EXEC_INFO: execInfo });
  console.log(`# kube-login benchmark (${runs} runs each, alternating; Node ${process.version}; NODE_EXTRA_CA_CERTS unset)\n`);
  console.log('## Cache hit: get-token against `node -e 0`\n');
  const hit = await compare(
    [
      { name: 'node -e 0', command: process.execPath, args: ['-e', '0'], env: hitEnv },
      { name: 'kube-login get-token (cache hit, disk)', command: process.execPath, args: [cliEntry, ...diskFlags], env: hitEnv },
    ],
    runs,
  );
  console.log(table(hit));
  console.log(`\nratio ${((hit[1]?.median ?? 0) / (hit[0]?.median ?? 1)).toFixed(2)}× (target ≤ 1.3×)\n`);

  console.log('## kubectl get --raw /version: exec plugin against a static token\n');
  const execKubeconfig = writeExecKubeconfig({ dir: home, server: apiserver.url, caFile: apiserver.caFile, command: process.execPath, args: [cliEntry, ...diskFlags], fileName: 'exec.yaml' });
  const staticKubeconfig = join(home, 'static.yaml');
  writeFileSync(
    staticKubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'bench', cluster: { server: apiserver.url, 'certificate-authority': apiserver.caFile } }],
      users: [{ name: 'bench', user: { token } }],
      contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
      'current-context': 'bench',
    }),
    { mode: 0o600 },
  );
  const kubectlRuns = Math.max(5, Math.floor(runs / 2));
  const viaKubectl = await compare(
    [
      { name: 'kubectl, static token', command: 'kubectl', args: ['--kubeconfig', staticKubeconfig, 'get', '--raw', '/version'], env: baseEnv(home) },
      { name: 'kubectl, kube-login exec plugin', command: 'kubectl', args: ['--kubeconfig', execKubeconfig, 'get', '--raw', '/version'], env: baseEnv(home) },
    ],
    kubectlRuns,
  );
  console.log(table(viaKubectl));
  console.log(`\nratio ${((viaKubectl[1]?.median ?? 0) / (viaKubectl[0]?.median ?? 1)).toFixed(2)}× (target ≤ 1.5×)\n`);

  const bundle = '/etc/ssl/certs/ca-certificates.crt';
  if (existsSync(bundle)) {
    console.log(`## For comparison: with NODE_EXTRA_CA_CERTS=${bundle} (slows every Node start)\n`);
    const slowEnv = { ...hitEnv, NODE_EXTRA_CA_CERTS: bundle };
    const subjects: Subject[] = [
      { name: 'node -e 0', command: process.execPath, args: ['-e', '0'], env: slowEnv },
      { name: 'kube-login get-token (cache hit, disk)', command: process.execPath, args: [cliEntry, ...diskFlags], env: slowEnv },
    ];
    const slow = await compare(subjects, Math.max(5, Math.floor(runs / 2)));
    console.log(table(slow));
    console.log(`\nratio ${((slow[1]?.median ?? 0) / (slow[0]?.median ?? 1)).toFixed(2)}×\n`);
  }
} finally {
  await apiserver.stop();
  await provider.stop();
  rmSync(home, { recursive: true, force: true });
}
