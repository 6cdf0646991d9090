// Writing kubeconfigs on a real file system: atomic replace, mode, backup, refusals, several files.
import { chmod, lstat, mkdtemp, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isKubeLoginError } from '../../../src/errors.js';
import {
  loadKubeconfigs,
  locateKubeconfigs,
  planKubeconfigChanges,
  setCurrentContext,
  upsertContext,
  upsertExecUser,
  writeKubeconfigChanges,
} from '../../../src/kube/kubeconfig.js';

const NOW = new Date('2026-03-05T17:30:20.123Z');
const EXEC = { command: 'kube-login', args: ['get-token', '--oidc-issuer-url=https://idp.example.com', '--oidc-client-id=k8s'], installHint: 'npm install -g kube-login' };
const ORIGINAL = `# managed by hand
apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster:
    server: https://prod.example.com:6443   # the prod API
users:
- name: admin
  user:
    token: secret-admin-token
`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kube-login-kubeconfig-'));
});
afterEach(async () => {
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

async function setup(paths: string[], explicit = false): Promise<Awaited<ReturnType<typeof writeKubeconfigChanges>>> {
  const location = explicit ? { paths, source: 'flag' as const } : { paths, source: 'env' as const };
  const set = await loadKubeconfigs(location);
  upsertExecUser(set, 'oidc', EXEC);
  upsertContext(set, 'oidc@prod', { cluster: 'prod', user: 'oidc' });
  setCurrentContext(set, 'oidc@prod');
  return writeKubeconfigChanges(planKubeconfigChanges(set), { now: NOW });
}

async function caught(promise: Promise<unknown>): Promise<{ reason: string; fix: string | undefined; code: string }> {
  try {
    await promise;
  } catch (error) {
    if (isKubeLoginError(error)) return { reason: error.reason, fix: error.fix, code: error.code };
    throw error;
  }
  throw new Error('expected an error');
}

describe('writeKubeconfigChanges', () => {
  it('replaces the file keeping its mode, and leaves a timestamped backup with the old bytes', async () => {
    const file = join(dir, 'config');
    await writeFile(file, ORIGINAL, { mode: 0o640 });
    await chmod(file, 0o640);
    const [written] = await setup([file], true);
    expect(written!.backupPath).toBe(`${file}.kube-login-backup-20260305T173020Z`);
    expect(await readFile(written!.backupPath!, 'utf8')).toBe(ORIGINAL);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect((await stat(written!.backupPath!)).mode & 0o777).toBe(0o640);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(ORIGINAL.split('users:')[0]!)).toBe(true);
    expect(text).toContain('current-context: oidc@prod');
    // Nothing else is left in the directory: no temporary file.
    expect((await readdir(dir)).sort()).toEqual(['config', 'config.kube-login-backup-20260305T173020Z']);
  });

  it('adds -2 to a second backup taken in the same second', async () => {
    const file = join(dir, 'config');
    await writeFile(file, ORIGINAL);
    await setup([file], true);
    const set = await loadKubeconfigs({ paths: [file], source: 'flag' });
    upsertExecUser(set, 'second', EXEC);
    const [written] = await writeKubeconfigChanges(planKubeconfigChanges(set), { now: NOW });
    expect(written!.backupPath).toBe(`${file}.kube-login-backup-20260305T173020Z-2`);
  });

  it('creates a missing file with mode 0600 (and its directory)', async () => {
    const file = join(dir, 'new', '.kube', 'config');
    const [written] = await setup([file], true);
    expect(written).toMatchObject({ created: true, backupPath: undefined, mode: 0o600 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^apiVersion: v1\nkind: Config\n/);
  });

  it('refuses a read-only file with a clear error and the fix, leaving it untouched', async () => {
    const file = join(dir, 'config');
    await writeFile(file, ORIGINAL);
    await chmod(file, 0o444);
    const error = await caught(setup([file], true));
    expect(error.code).toBe('kubeconfig');
    expect(error.reason).toBe('the file is read-only (mode 0444)');
    expect(error.fix).toBe(`nothing was changed; make it writable (chmod u+w ${file}) or pass --kubeconfig to write another file`);
    expect(await readFile(file, 'utf8')).toBe(ORIGINAL);
    expect((await stat(file)).mode & 0o777).toBe(0o444);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('refuses a file in a read-only directory, leaving it untouched', async () => {
    const file = join(dir, 'config');
    await writeFile(file, ORIGINAL);
    await chmod(dir, 0o555);
    const error = await caught(setup([file], true));
    expect(error.reason).toBe(`its directory ${dir} is read-only (mode 0555)`);
    expect(error.fix).toContain(`chmod u+w ${dir}`);
    expect(await readFile(file, 'utf8')).toBe(ORIGINAL);
    await chmod(dir, 0o700);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('refuses an unparseable file when loading, naming file and line, and never touches it', async () => {
    const file = join(dir, 'config');
    const broken = 'apiVersion: v1\nusers:\n- name: a\n  user: {token: x\n';
    await writeFile(file, broken);
    const error = await caught(setup([file], true));
    expect(error.code).toBe('kubeconfig');
    expect(error.reason).toMatch(new RegExp(`^${file}:\\d+: `));
    expect(await readFile(file, 'utf8')).toBe(broken);
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('refuses to write when the file changed after it was read', async () => {
    const file = join(dir, 'config');
    await writeFile(file, ORIGINAL);
    const set = await loadKubeconfigs({ paths: [file], source: 'flag' });
    upsertExecUser(set, 'oidc', EXEC);
    const changes = planKubeconfigChanges(set);
    await writeFile(file, ORIGINAL + '# edited meanwhile\n');
    const error = await caught(writeKubeconfigChanges(changes, { now: NOW }));
    expect(error.reason).toBe('the file changed while kube-login was running');
    expect(await readFile(file, 'utf8')).toBe(ORIGINAL + '# edited meanwhile\n');
    expect(await readdir(dir)).toEqual(['config']);
  });

  it('follows a symlinked kubeconfig: the target is replaced and the link stays a link', async () => {
    const target = join(dir, 'real-config');
    const link = join(dir, 'config');
    await writeFile(target, ORIGINAL, { mode: 0o600 });
    await symlink('real-config', link);
    const [written] = await setup([link], true);
    expect(written!.path).toBe(target);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe('real-config');
    expect(await readFile(target, 'utf8')).toContain('name: oidc');
  });
});

describe('two-file KUBECONFIG', () => {
  it('modifies the second file when the entry lives there, and leaves the first byte-identical', async () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    const firstText = 'apiVersion: v1\nkind: Config\nclusters:\n- name: prod\n  cluster: {server: "https://prod:6443"}\n';
    await writeFile(first, firstText);
    await writeFile(second, 'users:\n- name: oidc\n  user:\n    token: old\n');
    const set = await loadKubeconfigs(locateKubeconfigs({ env: { KUBECONFIG: `${first}:${second}` }, platform: 'linux' }));
    expect(upsertExecUser(set, 'oidc', EXEC)).toMatchObject({ path: second, action: 'updated' });
    const written = await writeKubeconfigChanges(planKubeconfigChanges(set), { now: NOW });
    expect(written.map((w) => w.path)).toEqual([second]);
    expect(await readFile(first, 'utf8')).toBe(firstText);
    expect(await readFile(second, 'utf8')).toContain('command: kube-login');
    expect((await readdir(dir)).sort()).toEqual(['first', 'second', 'second.kube-login-backup-20260305T173020Z']);
  });

  it('puts a new entry into the first file', async () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    await writeFile(first, 'kind: Config\n');
    const secondText = 'users:\n- name: someone-else\n  user: {token: t}\n';
    await writeFile(second, secondText);
    const set = await loadKubeconfigs(locateKubeconfigs({ env: { KUBECONFIG: `${first}:${second}` }, platform: 'linux' }));
    expect(upsertExecUser(set, 'oidc', EXEC).path).toBe(first);
    await writeKubeconfigChanges(planKubeconfigChanges(set), { now: NOW });
    expect(await readFile(first, 'utf8')).toContain('name: oidc');
    expect(await readFile(second, 'utf8')).toBe(secondText);
  });

  it('checks every file before writing any: a read-only second file leaves the first untouched', async () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    await writeFile(first, 'kind: Config\n');
    await writeFile(second, 'users:\n- name: oidc\n  user: {token: t}\n');
    await chmod(second, 0o400);
    const set = await loadKubeconfigs({ paths: [first, second], source: 'env' });
    upsertExecUser(set, 'oidc', EXEC); // lives in the second file
    upsertContext(set, 'new', { cluster: 'c', user: 'oidc' }); // new: the first file
    const error = await caught(writeKubeconfigChanges(planKubeconfigChanges(set), { now: NOW }));
    expect(error.reason).toBe('the file is read-only (mode 0400)');
    expect(await readFile(first, 'utf8')).toBe('kind: Config\n');
  });
});
