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
import { startKeyringSession } from '../test/support/keyring-session.js';
import { startProvider } from '../test/support/provider.js';
import { readFileSync } from 'node:fs';
import { type Subject, compare, runOnce, table } from './measure.js';
import { cacheKey } from '../src/cache/key.js';
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
  // The floor for any Node.js plugin: `node` itself printing a fixed ExecCredential.
  const floorScript = join(home, 'floor.cjs');
  writeFileSync(floorScript, `process.stdout.write(${JSON.stringify(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token } }))})`);
  const floorKubeconfig = writeExecKubeconfig({ dir: home, server: apiserver.url, caFile: apiserver.caFile, command: process.execPath, args: [floorScript], fileName: 'floor.yaml' });
  const kubectlRuns = Math.max(5, Math.floor(runs / 2));
  const viaKubectl = await compare(
    [
      { name: 'kubectl, static token', command: 'kubectl', args: ['--kubeconfig', staticKubeconfig, 'get', '--raw', '/version'], env: baseEnv(home) },
      { name: 'kubectl, kube-login exec plugin', command: 'kubectl', args: ['--kubeconfig', execKubeconfig, 'get', '--raw', '/version'], env: baseEnv(home) },
      { name: 'kubectl, floor: a bare `node` plugin printing a fixed token', command: 'kubectl', args: ['--kubeconfig', floorKubeconfig, 'get', '--raw', '/version'], env: baseEnv(home) },
    ],
    kubectlRuns,
  );
  console.log(table(viaKubectl));
  console.log(`\nratio ${((viaKubectl[1]?.median ?? 0) / (viaKubectl[0]?.median ?? 1)).toFixed(2)}× (target ≤ 1.5×)\n`);

  console.log('## Cache hit with the tokens in the OS keychain (gnome-keyring, Secret Service)\n');
  const session = await startKeyringSession();
  try {
    const keyringFlags = [...flags, '--token-cache-storage=keyring'];
    const keyringEnv: NodeJS.ProcessEnv = { ...session.env, KUBERNETES_EXEC_INFO: execInfo };
    delete keyringEnv['NODE_EXTRA_CA_CERTS'];
    await promisify(execFile)(process.execPath, [cliEntry, ...keyringFlags], { env: keyringEnv });
    const keychain = await compare(
      [
        { name: 'node -e 0', command: process.execPath, args: ['-e', '0'], env: keyringEnv },
        { name: 'kube-login get-token (cache hit, keychain)', command: process.execPath, args: [cliEntry, ...keyringFlags], env: keyringEnv },
      ],
      runs,
    );
    console.log(table(keychain));
    console.log(`\nratio ${((keychain[1]?.median ?? 0) / (keychain[0]?.median ?? 1)).toFixed(2)}× (target ≤ 1.6×)\n`);
  } finally {
    await session.stop();
  }

  console.log('## 32 parallel get-token on an expired ID token, against one refresh\n');
  const entryPath = join(home, '.kube', 'cache', 'kube-login', `${cacheKey({ issuer: provider.issuer, clientId: provider.publicClientId, scopes: ['email', 'groups', 'offline_access'], extraParams: {} }).id}.json`);
  const expire = (): void => {
    const entry = JSON.parse(readFileSync(entryPath, 'utf8')) as { times: Record<string, number> };
    const now = Math.floor(Date.now() / 1000);
    entry.times = { ...entry.times, idTokenIssuedAt: now - 3600, idTokenExpiresAt: now - 1 };
    writeFileSync(entryPath, JSON.stringify(entry));
  };
  const refreshRounds = 5;
  const single: number[] = [];
  const batch: number[] = [];
  const refreshSubject: Subject = { name: 'refresh', command: process.execPath, args: [cliEntry, ...diskFlags], env: hitEnv };
  for (let round = 0; round < refreshRounds; round++) {
    expire();
    single.push(await runOnce(refreshSubject));
    expire();
    const started = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 32 }, () => runOnce(refreshSubject)));
    batch.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log('| subject | rounds | median wall ms |\n|---|---|---|');
  console.log(`| one get-token that refreshes | ${refreshRounds} | ${median(single).toFixed(0)} |`);
  console.log(`| 32 parallel get-token, one of which refreshes | ${refreshRounds} | ${median(batch).toFixed(0)} |`);
  console.log(`\nratio ${(median(batch) / median(single)).toFixed(2)}× the wall time of one refresh, for 32 processes on ${(await import('node:os')).cpus().length} cores; refresh requests at the provider: ${provider.counts().refreshToken} for ${refreshRounds * 2} expiries\n`);

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
