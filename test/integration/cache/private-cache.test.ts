// A token is only ever read from a cache folder and entry of the user's own (issue 9, item 2): a
// planted entry in a shared folder, a link, or a file others can read is refused by the fast path
// and reported by the full CLI with the path and the fix, and no token is printed.
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FALLBACK_NOTICE_MARKER } from '../../../src/cache/select-store.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { credential, machine } from '../get-token/harness.js';

// Another local user, simulated by chown: the suite runs as root on CI and on these machines.
const OTHER_UID = 65534;
const asRoot = process.getuid?.() === 0;

describe('the token cache is read only from private folders and files', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider.stop());

  /** A machine with a valid cached token; returns it and the token. */
  async function loggedIn() {
    const m = machine(provider);
    const first = await m.run();
    expect(first.code, first.stderr).toBe(0);
    return { m, token: credential(first).status.token, entryName: m.entryPath().slice(m.cacheDir.length + 1) };
  }

  it.skipIf(!asRoot)('refuses a valid-looking entry planted by another user in a mode 1777 folder', async () => {
    const { m, token, entryName } = await loggedIn();
    const shared = join(m.home, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    chownSync(shared, OTHER_UID, OTHER_UID);
    const planted = join(shared, entryName);
    copyFileSync(m.entryPath(), planted);
    chownSync(planted, OTHER_UID, OTHER_UID);
    const before = provider.counts().total;
    const result = await m.run([`--token-cache-dir=${shared}`]);
    expect(result.stdout).toBe('');
    expect(result.stdout + result.stderr).not.toContain(token);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain(`kube-login: could not use the token cache ${shared}: the token cache folder ${shared} belongs to uid ${OTHER_UID}`);
    expect(result.stderr).toContain('--token-cache-dir');
    // Nothing was asked of the provider and no lock was taken there.
    expect(provider.counts().total).toBe(before);
    expect(existsSync(planted.replace(/\.json$/, '.lock'))).toBe(false);
  });

  it('refuses an own folder that others can write to (1777), with the chmod fix', async () => {
    const { m, token, entryName } = await loggedIn();
    const shared = join(m.home, 'open');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    copyFileSync(m.entryPath(), join(shared, entryName));
    chmodSync(join(shared, entryName), 0o600);
    const result = await m.run([`--token-cache-dir=${shared}`]);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(token);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('has mode 01777, so other users can write to it');
    expect(result.stderr).toContain(`fix: run \`chmod 700 ${shared}\``);
  });

  it('refuses an entry that is a symbolic link, even to a private file', async () => {
    const { m, token } = await loggedIn();
    const target = join(m.home, 'elsewhere.json');
    renameSync(m.entryPath(), target);
    symlinkSync(target, m.entryPath());
    const result = await m.run(['--no-login']);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(token);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain(`the token cache entry ${m.entryPath()} is a symbolic link`);
    expect(result.stderr).toContain(`fix: remove it (\`rm ${m.entryPath()}\`)`);
  });

  it('refuses a group-readable entry', async () => {
    const { m, token } = await loggedIn();
    chmodSync(m.entryPath(), 0o640);
    const result = await m.run(['--no-login']);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(token);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('has mode 0640, so other users can read or change it');
    expect(result.stderr).toContain(`chmod 600 ${m.entryPath()}`);
  });

  it.skipIf(!asRoot)('refuses an entry owned by another user in the own folder', async () => {
    const { m, token } = await loggedIn();
    chownSync(m.entryPath(), OTHER_UID, OTHER_UID);
    const result = await m.run(['--no-login']);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(token);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain(`belongs to uid ${OTHER_UID}, not to you`);
  });

  it('writes no keychain fallback marker into a folder others can write to', async () => {
    const m = machine(provider);
    const shared = join(m.home, 'open');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    // No D-Bus session in the environment: `auto` falls back to the disk store and would leave its marker.
    const result = await m.run(['--token-cache-storage=auto', `--token-cache-dir=${shared}`]);
    expect(result.code, result.stderr).toBe(8);
    expect(result.stdout).toBe('');
    expect(existsSync(join(shared, FALLBACK_NOTICE_MARKER))).toBe(false);
    expect(result.stderr).not.toContain('not in the OS keychain');
    expect(m.driver().launches).toBe(0);
  });

  it('still answers from a private folder and entry (0700, 0600)', async () => {
    const { m, token } = await loggedIn();
    const again = await m.run();
    expect(again.code, again.stderr).toBe(0);
    expect(credential(again).status.token).toBe(token);
    expect(readFileSync(m.entryPath(), 'utf8')).toContain(token);
  });
});
