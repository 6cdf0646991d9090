// The ExecCredential on stdout (SPECS A.3): exactly the object client-go decodes, one line, and an
// expirationTimestamp that Go's time.Parse(time.RFC3339, …) accepts.
import { describe, expect, it } from 'vitest';
import { encodeExecCredential } from '../../../src/kube/exec-credential.js';
import { utcSeconds } from './helpers.js';

const V1 = 'client.authentication.k8s.io/v1';
const V1BETA1 = 'client.authentication.k8s.io/v1beta1';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl';

// Go's time.RFC3339 layout is "2006-01-02T15:04:05Z07:00"; we emit UTC ("Z") and whole seconds.
const RFC3339_UTC_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('encodeExecCredential', () => {
  it('prints the exact shape client-go decodes, in the requested apiVersion', () => {
    const text = encodeExecCredential(V1, TOKEN, utcSeconds(2026, 3, 5, 17, 30, 20));
    expect(JSON.parse(text)).toStrictEqual({
      apiVersion: V1,
      kind: 'ExecCredential',
      status: { token: TOKEN, expirationTimestamp: '2026-03-05T17:30:20Z' },
    });
  });

  it('echoes v1beta1 when kubectl asked for it', () => {
    const text = encodeExecCredential(V1BETA1, TOKEN, utcSeconds(2026, 3, 5, 17, 30, 20));
    expect(JSON.parse(text).apiVersion).toBe(V1BETA1);
  });

  it('is a single line of JSON ending in one newline, with nothing before or after', () => {
    const text = encodeExecCredential(V1, TOKEN, utcSeconds(2030, 1, 1));
    expect(text.endsWith('\n')).toBe(true);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    expect(text.startsWith('{')).toBe(true);
    expect(text.trimEnd().endsWith('}')).toBe(true);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('has no fields besides apiVersion, kind and status{token, expirationTimestamp}', () => {
    const parsed = JSON.parse(encodeExecCredential(V1, TOKEN, utcSeconds(2030, 1, 1))) as Record<string, Record<string, unknown>>;
    expect(Object.keys(parsed).sort()).toEqual(['apiVersion', 'kind', 'status']);
    expect(Object.keys(parsed['status'] as object).sort()).toEqual(['expirationTimestamp', 'token']);
  });

  it('writes the timestamp in UTC without fractions, and it denotes the given second', () => {
    for (const seconds of [utcSeconds(2026, 3, 5, 17, 30, 20), utcSeconds(2031, 12, 31, 23, 59, 59), utcSeconds(2030, 1, 1)]) {
      const { expirationTimestamp } = JSON.parse(encodeExecCredential(V1, TOKEN, seconds)).status as { expirationTimestamp: string };
      expect(expirationTimestamp).toMatch(RFC3339_UTC_SECONDS);
      expect(Date.parse(expirationTimestamp) / 1000).toBe(seconds);
    }
    expect(JSON.parse(encodeExecCredential(V1, TOKEN, utcSeconds(2031, 12, 31, 23, 59, 59))).status.expirationTimestamp).toBe('2031-12-31T23:59:59Z');
  });

  it('rounds a fractional expiry down, so kubectl never holds the token longer than we said', () => {
    const seconds = utcSeconds(2026, 3, 5, 17, 30, 20);
    const { expirationTimestamp } = JSON.parse(encodeExecCredential(V1, TOKEN, seconds + 0.999)).status as { expirationTimestamp: string };
    expect(expirationTimestamp).toBe('2026-03-05T17:30:20Z');
  });

  it('carries the token unchanged', () => {
    const odd = 'tok.with-_~+/=chars';
    expect(JSON.parse(encodeExecCredential(V1, odd, utcSeconds(2030, 1, 1))).status.token).toBe(odd);
  });
});
