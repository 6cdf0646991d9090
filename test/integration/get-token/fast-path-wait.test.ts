// When another process holds the key's lock, the fast path waits briefly and answers from the cache
// that process writes, without loading the full CLI; when nobody holds it, it takes the lock and the
// full CLI adopts it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey } from '../../../src/cache/key.js';
import { type TestProvider, startProvider } from '../../support/provider.js';
import { SCOPES, credential, machine } from './harness.js';

describe('the fast path and the per-key lock', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startProvider();
  });
  afterAll(() => provider.stop());

  const lockPathOf = (cacheDir: string): string =>
    join(cacheDir, `${cacheKey({ issuer: provider.issuer, clientId: provider.publicClientId, scopes: SCOPES, extraParams: {} }).id}.lock`);

  it('waits for a live holder and answers from the cache it writes, with no full CLI and no request', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    const fresh = readFileSync(m.entryPath(), 'utf8');
    const stale = JSON.parse(fresh) as { times: { idTokenExpiresAt: number; idTokenIssuedAt: number } };
    const now = Math.floor(Date.now() / 1000);
    stale.times = { idTokenIssuedAt: now - 301, idTokenExpiresAt: now - 1 };
    writeFileSync(m.entryPath(), JSON.stringify(stale));
    // This test process plays the holder: a live pid on this host.
    const lockPath = lockPathOf(m.cacheDir);
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), startedAt: new Date().toISOString(), purpose: 'refreshing the token' }));
    const before = provider.counts().total;
    const waiter = m.run(['-v']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(m.entryPath(), fresh);
    (await import('node:fs')).rmSync(lockPath);
    const result = await waiter;
    expect(result.code, result.stderr).toBe(0);
    expect(credential(result).status.token).toBe(JSON.parse(fresh).secrets.idToken);
    // -v makes the full CLI print debug lines; the fast path prints nothing.
    expect(result.stderr).toBe('');
    expect(provider.counts().total).toBe(before);
  });

  it('takes the lock on a stale entry, the full CLI adopts it and removes it when done', async () => {
    const m = machine(provider);
    expect((await m.run()).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const entry = JSON.parse(readFileSync(m.entryPath(), 'utf8')) as { times: Record<string, number> };
    const now = Math.floor(Date.now() / 1000);
    entry.times = { idTokenIssuedAt: now - 301, idTokenExpiresAt: now - 1 };
    writeFileSync(m.entryPath(), JSON.stringify(entry));
    const result = await m.run(['-v']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('refreshed the token');
    expect(result.stderr).not.toContain('waiting for');
    expect(existsSync(lockPathOf(m.cacheDir))).toBe(false);
  });
});
