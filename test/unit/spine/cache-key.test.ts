// The cache key must be stable for one configuration (else every kubectl call logs in again) and
// different for different configurations (else one cluster gets another's token).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type JsonValue } from '../../../src/cache/canonical-json.js';
import { type CacheKeyInput, cacheKey } from '../../../src/cache/key.js';

const base: CacheKeyInput = {
  issuer: 'https://idp.example.com',
  clientId: 'kubernetes',
  scopes: ['email', 'groups'],
  extraParams: { audience: 'k8s', prompt: 'login' },
};

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    const value = { b: { d: 1, c: [{ z: 1, y: 2 }, 'x'] }, a: null };
    expect(canonicalJson(value)).toBe('{"a":null,"b":{"c":[{"y":2,"z":1},"x"],"d":1}}');
  });

  it('encodes objects equal up to key insertion order identically', () => {
    const one = { issuer: 'i', nested: { p: '1', q: '2' }, list: [1, 2] };
    const two = { list: [1, 2], nested: { q: '2', p: '1' }, issuer: 'i' };
    expect(canonicalJson(two)).toBe(canonicalJson(one));
  });

  it('drops undefined members, as JSON does', () => {
    const value = { a: undefined, b: 1 } as unknown as JsonValue;
    expect(canonicalJson(value)).toBe('{"b":1}');
  });

  it('is valid JSON that parses back to the same value, with strings escaped', () => {
    const value = { 'key "q"': 'line\nbreak "quoted" \\ é \u2028', n: -1.5, t: true, f: false, z: null, arr: [] };
    const text = canonicalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(/\n/);
  });
});

describe('cacheKey', () => {
  it('is a 64-character lowercase hex sha256', () => {
    expect(cacheKey(base).id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('matches a known answer: sha256 of the canonical encoding written out by hand', () => {
    // Format version 1 of the key. Changing it silently invalidates every user's cache (a forced
    // re-login everywhere), so it must only change on purpose.
    const withUser: CacheKeyInput = { ...base, scopes: ['groups', 'email', 'groups'], username: 'alice' };
    const handWritten =
      '{"clientId":"kubernetes","extraParams":{"audience":"k8s","prompt":"login"},"issuer":"https://idp.example.com","scopes":["email","groups"],"username":"alice","v":1}';
    expect(cacheKey(withUser).id).toBe(sha256(handWritten));

    const noUser = '{"clientId":"kubernetes","extraParams":{"audience":"k8s","prompt":"login"},"issuer":"https://idp.example.com","scopes":["email","groups"],"v":1}';
    expect(cacheKey(base).id).toBe(sha256(noUser));
  });

  it('is stable across scope order and duplicate scopes', () => {
    const id = cacheKey(base).id;
    expect(cacheKey({ ...base, scopes: ['groups', 'email'] }).id).toBe(id);
    expect(cacheKey({ ...base, scopes: ['groups', 'email', 'email', 'groups'] }).id).toBe(id);
  });

  it('is stable across the insertion order of extra parameters', () => {
    expect(cacheKey({ ...base, extraParams: { prompt: 'login', audience: 'k8s' } }).id).toBe(cacheKey(base).id);
  });

  it('is the same on every call (no randomness, no time)', () => {
    expect(cacheKey({ ...base }).id).toBe(cacheKey({ ...base }).id);
  });

  it('does not reorder the caller’s scope array', () => {
    const scopes = ['groups', 'email'];
    cacheKey({ ...base, scopes });
    expect(scopes).toEqual(['groups', 'email']);
  });

  it.each<[string, Partial<CacheKeyInput>]>([
    ['another issuer', { issuer: 'https://other.example.com' }],
    ['the issuer with a trailing slash (a different issuer, OIDC Discovery 4.3)', { issuer: 'https://idp.example.com/' }],
    ['another client id', { clientId: 'kubernetes-2' }],
    ['one scope fewer', { scopes: ['email'] }],
    ['one scope more', { scopes: ['email', 'groups', 'offline_access'] }],
    ['another extra parameter value', { extraParams: { audience: 'k8s', prompt: 'consent' } }],
    ['one extra parameter fewer', { extraParams: { audience: 'k8s' } }],
    ['a username', { username: 'alice' }],
  ])('differs for %s', (_name, change) => {
    expect(cacheKey({ ...base, ...change }).id).not.toBe(cacheKey(base).id);
  });

  it('differs for two usernames', () => {
    expect(cacheKey({ ...base, username: 'alice' }).id).not.toBe(cacheKey({ ...base, username: 'bob' }).id);
  });

  it('cannot be confused by separators inside values (no naive string joining)', () => {
    // A key built by joining with commas or `=` would collide on these pairs.
    expect(cacheKey({ ...base, scopes: ['a,b'] }).id).not.toBe(cacheKey({ ...base, scopes: ['a', 'b'] }).id);
    expect(cacheKey({ ...base, extraParams: { a: 'b=c' } }).id).not.toBe(cacheKey({ ...base, extraParams: { 'a=b': 'c' } }).id);
    expect(cacheKey({ ...base, issuer: 'https://a', clientId: 'b|c' }).id).not.toBe(cacheKey({ ...base, issuer: 'https://a|b', clientId: 'c' }).id);
  });
});
