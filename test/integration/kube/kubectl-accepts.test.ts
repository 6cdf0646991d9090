// The real kubectl reads every kubeconfig we write: `kubectl config view`, and a command that loads
// the exec user (so kubectl validates it: interactiveMode, apiVersion) and shows our installHint.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadKubeconfigs,
  planKubeconfigChanges,
  setCurrentContext,
  upsertCluster,
  upsertContext,
  upsertExecUser,
  writeKubeconfigChanges,
} from '../../../src/kube/kubeconfig.js';
import { createTestCerts } from '../../support/certs.js';
import { runKubectl } from '../../support/kubeconfig.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { entryName, kubeconfigData, layout, renderKubeconfigText } from '../../unit/kube/kubeconfig-arbitraries.js';

const HINT = 'kube-login-test-hint: install kube-login with `npm install -g kube-login`';
const COMMAND = 'kube-login-not-installed-for-this-test';
let caData = '';
beforeAll(async () => {
  caData = Buffer.from((await createTestCerts()).caPem).toString('base64');
});

interface ViewedConfig {
  users?: Array<{ name: string; user: { exec?: Record<string, unknown> } }>;
  contexts?: Array<{ name: string; context: Record<string, unknown> }>;
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  'current-context'?: string;
}

async function writeAndCheck(dir: string, original: string, names: { user: string; context: string; cluster: string }): Promise<void> {
  const file = join(dir, 'config');
  await writeFile(file, original, { mode: 0o600 });
  const set = await loadKubeconfigs({ paths: [file], source: 'flag' });
  upsertExecUser(set, names.user, {
    command: COMMAND,
    args: ['get-token', '--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=kubernetes', 'on', 'yes', '0x1F', '1e3', '~'],
    installHint: HINT,
  });
  upsertCluster(set, names.cluster, { server: 'https://127.0.0.1:1', certificateAuthorityData: caData });
  upsertContext(set, names.context, { cluster: names.cluster, user: names.user, namespace: 'on' });
  setCurrentContext(set, names.context);
  await writeKubeconfigChanges(planKubeconfigChanges(set), { now: new Date() });

  const view = await runKubectl(['config', 'view', '-o', 'json'], { kubeconfig: file, env: { HOME: dir } });
  expect(view.stderr).toBe('');
  expect(view.code).toBe(0);
  const config = JSON.parse(view.stdout) as ViewedConfig;
  expect(config['current-context']).toBe(names.context);
  expect(config.contexts?.find((c) => c.name === names.context)?.context).toEqual({ cluster: names.cluster, user: names.user, namespace: 'on' });
  expect(config.users?.find((u) => u.name === names.user)?.user.exec).toMatchObject({
    apiVersion: 'client.authentication.k8s.io/v1',
    command: COMMAND,
    args: ['get-token', '--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=kubernetes', 'on', 'yes', '0x1F', '1e3', '~'],
    interactiveMode: 'IfAvailable',
    installHint: HINT,
  });

  // Loading the context validates the exec stanza; kubectl then looks for the command and prints our hint.
  const run = await runKubectl(['get', '--raw', '/version', '--request-timeout=2s'], { kubeconfig: file, env: { HOME: dir }, timeoutMs: 15_000 });
  expect(run.code).not.toBe(0);
  expect(run.stderr).not.toMatch(/must be specified|invalid|unknown interactiveMode|error loading config/i);
  expect(run.stderr).toContain(`executable ${COMMAND} not found`);
  expect(run.stderr).toContain(HINT);
}

describe('kubectl accepts the kubeconfigs we write', () => {
  it('on a new file', async () => {
    await writeAndCheck(makeTempDir('kube-login-kubectl-'), '', { user: 'oidc', context: 'oidc@test', cluster: 'test' });
  });

  it('on random existing kubeconfigs, with random entry names', async () => {
    await fc.assert(
      // Block style only: go-yaml v2 (kubectl) misreads some flow collections that yaml writes for
      // odd keys, so a flow-style original could be one kubectl never read in the first place.
      fc.asyncProperty(kubeconfigData, layout.map((l) => ({ ...l, flow: l.flow.map(() => false) })), entryName, entryName, entryName, async (data, style, user, context, cluster) => {
        const dir = makeTempDir('kube-login-kubectl-');
        const original = renderKubeconfigText(data, style, true);
        // The generated file itself must be one kubectl reads, or the check below would prove nothing.
        await writeFile(join(dir, 'original'), original);
        const before = await runKubectl(['config', 'view'], { kubeconfig: join(dir, 'original'), env: { HOME: dir } });
        expect(before.stderr).toBe('');
        await writeAndCheck(dir, original, { user: `u-${user}`, context: `c-${context}`, cluster: `k-${cluster}` });
        // Every earlier entry is still read by kubectl.
        const view = JSON.parse((await runKubectl(['config', 'view', '-o', 'json'], { kubeconfig: join(dir, 'config'), env: { HOME: dir } })).stdout) as ViewedConfig;
        for (const section of ['users', 'contexts', 'clusters'] as const) {
          const before = (data[section] as Array<{ name: string }> | undefined) ?? [];
          const names = new Set((view[section] ?? []).map((e) => e.name));
          for (const entry of before) expect(names.has(entry.name)).toBe(true);
        }
        expect((await readFile(join(dir, 'config'), 'utf8')).length).toBeGreaterThan(0);
      }),
      { numRuns: Number(process.env['KUBE_LOGIN_FC_RUNS'] ?? 15), endOnFailure: true },
    );
  });
});
