// Expiry and the refresh margin: client-go adds no skew (SPECS A.6), so kube-login must stop handing
// out a token min(60 s, 10% of its lifetime) before it expires, and never hand out an expired one.
import { describe, expect, it } from 'vitest';
import { bearerToken, freshUntil, isFresh, refreshMarginSeconds } from '../../../src/cache/expiry.js';
import type { TokenTimes } from '../../../src/cache/token-set.js';

const T = 1_900_000_000; // an arbitrary issue time, seconds since the epoch

describe('refreshMarginSeconds: min(60 s, 10% of the lifetime)', () => {
  it.each([
    [600, 60], // the boundary where both rules agree
    [300, 30], // short-lived tokens: 10%
    [3600, 60], // long-lived tokens: capped at 60 s
    [86400, 60],
    [100, 10],
    [0, 0],
  ])('lifetime %i s → margin %i s', (lifetime, margin) => {
    expect(refreshMarginSeconds(T, T + lifetime)).toBe(margin);
  });

  it('is never negative, even when exp is before iat', () => {
    expect(refreshMarginSeconds(T, T - 100)).toBe(0);
  });
});

describe('isFresh for the ID token', () => {
  const times: TokenTimes = { idTokenIssuedAt: T, idTokenExpiresAt: T + 600 }; // margin 60 → fresh until T+540

  it('is fresh just before exp minus the margin, and not at or after it', () => {
    expect(isFresh(times, false, (T + 540) * 1000 - 1)).toBe(true);
    expect(isFresh(times, false, (T + 540) * 1000)).toBe(false);
    expect(isFresh(times, false, (T + 540) * 1000 + 1)).toBe(false);
  });

  it('is not fresh inside the margin, although the token has not expired yet', () => {
    expect(isFresh(times, false, (T + 599) * 1000)).toBe(false);
  });

  it('is not fresh once expired', () => {
    expect(isFresh(times, false, (T + 600) * 1000)).toBe(false);
    expect(isFresh(times, false, (T + 10_000) * 1000)).toBe(false);
  });

  it('is fresh right after issue', () => {
    expect(isFresh(times, false, T * 1000)).toBe(true);
  });

  it('puts freshUntil at exp minus the margin', () => {
    expect(freshUntil(times, false)).toBe(T + 540);
    expect(freshUntil({ idTokenIssuedAt: T, idTokenExpiresAt: T + 3600 }, false)).toBe(T + 3540);
  });

  it('ignores the access token times when the ID token is used', () => {
    const withAccess: TokenTimes = { ...times, accessTokenIssuedAt: T, accessTokenExpiresAt: T + 60 };
    expect(isFresh(withAccess, false, (T + 300) * 1000)).toBe(true);
  });
});

describe('isFresh with --oidc-use-access-token', () => {
  it('follows the access token expiry and its own margin', () => {
    // ID token valid for an hour, access token for 5 minutes (margin 30 s) → fresh until T+270.
    const times: TokenTimes = { idTokenIssuedAt: T, idTokenExpiresAt: T + 3600, accessTokenIssuedAt: T, accessTokenExpiresAt: T + 300 };
    expect(freshUntil(times, true)).toBe(T + 270);
    expect(isFresh(times, true, (T + 270) * 1000 - 1)).toBe(true);
    expect(isFresh(times, true, (T + 270) * 1000)).toBe(false);
    // The ID token is still fine at that moment.
    expect(isFresh(times, false, (T + 270) * 1000)).toBe(true);
  });

  it('trusts an access token without a known expiry no longer than the ID token', () => {
    const times: TokenTimes = { idTokenIssuedAt: T, idTokenExpiresAt: T + 600, accessTokenIssuedAt: T };
    expect(freshUntil(times, true)).toBe(T + 540);
    expect(isFresh(times, true, (T + 540) * 1000 - 1)).toBe(true);
    expect(isFresh(times, true, (T + 540) * 1000)).toBe(false);
  });
});

describe('bearerToken', () => {
  it('is the ID token by default and the access token with --oidc-use-access-token', () => {
    const secrets = { idToken: 'id-token-value', accessToken: 'access-token-value', refreshToken: 'refresh-token-value' };
    expect(bearerToken(secrets, false)).toBe('id-token-value');
    expect(bearerToken(secrets, true)).toBe('access-token-value');
  });

  it('never falls back to the ID token (or the refresh token) when the access token is missing', () => {
    expect(bearerToken({ idToken: 'id-token-value', refreshToken: 'refresh-token-value' }, true)).toBeUndefined();
  });
});
