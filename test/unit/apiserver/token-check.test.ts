// The token check applied to tokens signed here, with kube-apiserver's exact messages (SPECS.md B.2).
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOidcMapping, type OidcMappingOptions } from '../../../src/apiserver/oidc-mapping.js';
import { SUPPORTED_SIGNING_ALGS } from '../../../src/apiserver/signing-algs.js';
import { AUTHENTICATED_GROUP, checkTokenWithoutSignature, precheckToken } from '../../../src/apiserver/token-check.js';
import { type TestKey, newTestKey, signToken } from './tokens.js';

const ISSUER = 'https://idp.example.com';
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const NOW_S = NOW / 1000;

let rs256: TestKey;
let es256: TestKey;
beforeAll(async () => {
  rs256 = await newTestKey('RS256');
  es256 = await newTestKey('ES256');
});

const valid = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: ISSUER,
  aud: 'kubernetes',
  sub: 'user-1',
  email: 'jane@example.com',
  email_verified: true,
  groups: ['dev', 'ops'],
  exp: NOW_S + 300,
  iat: NOW_S - 10,
  ...extra,
});

function mapping(options: Partial<OidcMappingOptions> = {}) {
  return buildOidcMapping({ issuerUrl: ISSUER, clientIds: ['kubernetes'], groupsClaim: 'groups', groupsPrefix: 'oidc:', ...options });
}

async function check(claims: Record<string, unknown>, options: Partial<OidcMappingOptions> = {}, extra: { key?: TestKey; algorithms?: readonly string[]; now?: number } = {}) {
  const m = mapping(options);
  const token = await signToken(extra.key ?? rs256, claims);
  return checkTokenWithoutSignature({ token, mapping: m, algorithms: extra.algorithms ?? m.signingAlgs, nowMs: extra.now ?? NOW });
}

describe('token check: accepted tokens', () => {
  it('maps sub with the implied <issuer># prefix and prefixed groups, then adds system:authenticated', async () => {
    const verdict = await check(valid());
    expect(verdict).toEqual({ outcome: 'accepted', user: { username: `${ISSUER}#user-1`, groups: ['oidc:dev', 'oidc:ops', AUTHENTICATED_GROUP] }, notes: [] });
  });

  it('takes a groups claim given as one string (kubernetes#33290)', async () => {
    const verdict = await check(valid({ groups: 'admins' }));
    expect(verdict.outcome === 'accepted' && verdict.user.groups).toEqual(['oidc:admins', AUTHENTICATED_GROUP]);
  });

  it('treats an absent or null groups claim as no groups', async () => {
    for (const groups of [undefined, null]) {
      const claims = valid({ groups });
      if (groups === undefined) delete claims['groups'];
      const verdict = await check(claims);
      expect(verdict.outcome === 'accepted' && verdict.user.groups).toEqual([AUTHENTICATED_GROUP]);
    }
  });

  it('uses the email claim without prefix by default, and accepts a token without email_verified', async () => {
    const claims = valid();
    delete claims['email_verified'];
    const verdict = await check(claims, { usernameClaim: 'email' });
    expect(verdict.outcome === 'accepted' && verdict.user.username).toBe('jane@example.com');
  });

  it('honours - (no prefix) and an explicit prefix', async () => {
    const none = await check(valid(), { usernamePrefix: '-' });
    expect(none.outcome === 'accepted' && none.user.username).toBe('user-1');
    const explicit = await check(valid(), { usernamePrefix: 'oidc:' });
    expect(explicit.outcome === 'accepted' && explicit.user.username).toBe('oidc:user-1');
  });

  it('does not duplicate system:authenticated when the provider sends it', async () => {
    const verdict = await check(valid({ groups: ['system:authenticated'] }), { groupsPrefix: undefined });
    expect(verdict.outcome === 'accepted' && verdict.user.groups).toEqual([AUTHENTICATED_GROUP]);
  });

  it('accepts any of several audiences (MatchAny) and an aud array', async () => {
    const verdict = await check(valid({ aud: ['other', 'kubectl'] }), { clientIds: ['kubernetes', 'kubectl'] });
    expect(verdict.outcome).toBe('accepted');
  });

  it('accepts exp equal to now (no leeway, Before is strict) and nbf up to 60 s ahead', async () => {
    expect((await check(valid({ exp: NOW_S }))).outcome).toBe('accepted');
    expect((await check(valid({ nbf: NOW_S + 60 }))).outcome).toBe('accepted');
  });

  it('accepts ES256 with an AuthenticationConfiguration (all 9 algorithms)', async () => {
    const verdict = await check(valid(), {}, { key: es256, algorithms: SUPPORTED_SIGNING_ALGS });
    expect(verdict.outcome).toBe('accepted');
  });
});

describe('token check: kube-apiserver\'s exact rejections', () => {
  const cases: Array<[string, Record<string, unknown>, Partial<OidcMappingOptions>, string]> = [
    ['expired by one second', valid({ exp: NOW_S - 1 }), {}, 'oidc: verify token: oidc: token is expired (Token Expiry: 2026-01-01 11:59:59 +0000 UTC)'],
    ['missing exp (Go zero time)', valid({ exp: undefined }), {}, 'oidc: verify token: oidc: token is expired (Token Expiry: 0001-01-01 00:00:00 +0000 UTC)'],
    ['nbf beyond the minute of leeway', valid({ nbf: NOW_S + 61 }), {}, 'oidc: verify token: oidc: current time 2026-01-01 12:00:00 +0000 UTC before the nbf (not before) time: 2026-01-01 12:01:01 +0000 UTC'],
    ['audience (one client ID, go-oidc)', valid({ aud: 'other' }), {}, 'oidc: verify token: oidc: expected audience "kubernetes" got ["other"]'],
    ['audience (several, the apiserver\'s MatchAny, sorted)', valid({ aud: ['x'] }), { clientIds: ['kubernetes', 'kubectl'] }, 'oidc: verify token: oidc: expected audience in ["kubectl" "kubernetes"] got ["x"]'],
    ['email not verified', valid({ email_verified: false }), { usernameClaim: 'email' }, 'oidc: email not verified'],
    ['email_verified not a bool', valid({ email_verified: 'true' }), { usernameClaim: 'email' }, "oidc: parse 'email_verified' claim: json: cannot unmarshal string into Go value of type bool"],
    ['username claim missing', valid(), { usernameClaim: 'preferred_username' }, 'oidc: parse username claims "preferred_username": claim not present'],
    ['username claim not a string', valid({ uid: 42 }), { usernameClaim: 'uid' }, 'oidc: parse username claims "uid": json: cannot unmarshal number into Go value of type string'],
    ['groups not strings', valid({ groups: [1, 2] }), {}, 'oidc: parse groups claim "groups": json: cannot unmarshal array into Go value of type string'],
    ['groups an object', valid({ groups: { a: 1 } }), {}, 'oidc: parse groups claim "groups": json: cannot unmarshal object into Go value of type string'],
    ['required claim absent', valid(), { requiredClaims: ['tier=gold'] }, 'oidc: required claim tier not present in ID token'],
    ['required claim different', valid({ tier: 'silver' }), { requiredClaims: ['tier=gold'] }, 'oidc: required claim tier value does not match. Got = silver, want = gold'],
    ['required claim not a string', valid({ tier: 3 }), { requiredClaims: ['tier=3'] }, 'oidc: parse claim tier: json: cannot unmarshal number into Go value of type string'],
  ];
  it.each(cases)('%s', async (_name, claims, options, reason) => {
    for (const key of Object.keys(claims)) if (claims[key] === undefined) delete claims[key];
    const verdict = await check(claims, options);
    expect(verdict).toMatchObject({ outcome: 'rejected', reason });
  });

  it('rejects an algorithm outside --signing-algs with the flags', async () => {
    const verdict = await check(valid(), {}, { key: es256 });
    expect(verdict).toMatchObject({ outcome: 'rejected', reason: 'oidc: verify token: oidc: id token signed with unsupported algorithm, expected ["RS256"] got "ES256"' });
  });

  it('checks required claims after the mapping, as AuthenticateToken does', async () => {
    const verdict = await check(valid({ email_verified: false }), { usernameClaim: 'email', requiredClaims: ['tier=gold'] });
    expect(verdict).toMatchObject({ reason: 'oidc: email not verified' });
  });

  it('checks the audience before the expiry, as go-oidc does', async () => {
    const verdict = await check(valid({ aud: 'other', exp: NOW_S - 100 }));
    expect(verdict).toMatchObject({ reason: expect.stringContaining('expected audience') });
  });
});

describe('token check: tokens the authenticator skips', () => {
  it('skips another issuer, byte for byte (trailing slash)', async () => {
    const verdict = await check(valid({ iss: `${ISSUER}/` }));
    expect(verdict.outcome).toBe('skipped');
    expect(verdict.outcome !== 'accepted' && verdict.reason).toContain('"https://idp.example.com/" is not "https://idp.example.com"');
  });

  it('skips what is not a compact JWT', () => {
    const m = mapping();
    for (const token of ['{"iss":"x"}', 'a.b', 'not a token', 'a.b.c.d']) {
      expect(precheckToken({ token, mapping: m, algorithms: ['RS256'], nowMs: NOW }).outcome).toBe('skipped');
    }
  });

  it('coalesces accounts.google.com, the one issuer kube-apiserver special-cases', async () => {
    const m = buildOidcMapping({ issuerUrl: 'https://accounts.google.com', clientIds: ['kubernetes'] });
    const token = await signToken(rs256, valid({ iss: 'accounts.google.com' }));
    expect(precheckToken({ token, mapping: m, algorithms: ['RS256'], nowMs: NOW }).outcome).toBe('verify-signature');
  });
});
