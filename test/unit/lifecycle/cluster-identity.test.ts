// What the API server says (SelfSubjectReview) against the token's claims: the prefix and groups
// diagnoses that explain "Forbidden", with and without the API server's mapping given.
import { describe, expect, it } from 'vitest';
import { resolveClaimMappingRules } from '../../../src/apiserver/claim-mapping-rules.js';
import { checkGroups, checkReview, checkUsername, inferUsernameClaim } from '../../../src/usecases/doctor/cluster-identity.js';
import { ISSUER, claims } from './fakes.js';

const rules = (options: Parameters<typeof resolveClaimMappingRules>[0]) => resolveClaimMappingRules(options, ISSUER);
const c = claims();

describe('the username the API server gives', () => {
  it('is traced back to a claim and a prefix', () => {
    expect(inferUsernameClaim('oidc:alice@example.com', c)).toEqual({ claim: 'email', value: 'alice@example.com', prefix: 'oidc:' });
    expect(inferUsernameClaim(`${ISSUER}#alice-sub`, c)).toEqual({ claim: 'sub', value: 'alice-sub', prefix: `${ISSUER}#` });
    expect(inferUsernameClaim('bob', c)).toBeUndefined();
  });

  it('passes with the prefix named, and says RBAC must use it', () => {
    const check = checkUsername('oidc:alice@example.com', c, ISSUER, undefined);
    expect(check.mark).toBe('pass');
    expect(check.text).toBe('the API server calls you "oidc:alice@example.com": the email claim "alice@example.com" with the prefix "oidc:"');
    expect(check.notes?.[0]).toContain('a binding for "alice@example.com" is a username-prefix mismatch, the commonest cause of Forbidden');
  });

  it('warns about kube-apiserver\'s default issuer prefix', () => {
    const check = checkUsername(`${ISSUER}#alice-sub`, c, ISSUER, undefined);
    expect(check.mark).toBe('warn');
    expect(check.text).toContain("kube-apiserver's default prefix when --oidc-username-prefix is not set");
    expect(check.text).toContain('a username-prefix mismatch, the commonest cause of Forbidden');
  });

  it('fails a prefix mismatch against the given mapping, naming both and the fix', () => {
    const check = checkUsername('oidc:alice@example.com', c, ISSUER, rules({ usernameClaim: 'email' }));
    expect(check.mark).toBe('fail');
    expect(check.text).toBe(
      'username prefix mismatch: the API server calls you "oidc:alice@example.com" (the prefix "oidc:" + the email claim), but the mapping gives "alice@example.com" (no prefix); RBAC bindings written for "alice@example.com" never match, so kubectl gets Forbidden',
    );
    expect(check.fix).toContain('--username-prefix oidc:');
    expect(checkUsername('oidc:alice@example.com', c, ISSUER, rules({ usernameClaim: 'email', usernamePrefix: 'oidc:' })).mark).toBe('pass');
    expect(checkUsername('oidc:alice@example.com', c, ISSUER, rules({ usernameClaim: 'sub', usernamePrefix: 'oidc:' })).text).toMatch(/^username claim mismatch/);
  });
});

describe('the groups the API server gives', () => {
  it('passes prefixed groups from the claim', () => {
    const check = checkGroups(['oidc:dev', 'oidc:ops', 'system:authenticated'], c, undefined);
    expect(check).toMatchObject({ mark: 'pass', text: 'the API server gives you the groups "oidc:dev", "oidc:ops": the groups claim with the prefix "oidc:"' });
  });

  it('names a missing groups claim (a warning, a failure when --groups-claim is given)', () => {
    const noGroups = claims({ groups: undefined });
    delete noGroups['groups'];
    const warning = checkGroups(['system:authenticated'], noGroups, undefined);
    expect(warning.mark).toBe('warn');
    expect(warning.text).toMatch(/^missing groups claim: the token has no "groups" claim, so the API server gives you no groups/);
    expect(warning.fix).toContain('--oidc-extra-scope=groups');
    expect(checkGroups(['system:authenticated'], noGroups, rules({ groupsClaim: 'groups' })).mark).toBe('fail');
  });

  it('names an API server that maps no groups, and a groups prefix mismatch', () => {
    expect(checkGroups(['system:authenticated'], c, undefined).text).toContain('it has no --oidc-groups-claim');
    const mismatch = checkGroups(['oidc:dev', 'oidc:ops', 'system:authenticated'], c, rules({ groupsClaim: 'groups' }));
    expect(mismatch.mark).toBe('fail');
    expect(mismatch.text).toMatch(/^groups prefix mismatch/);
  });
});

describe('the review', () => {
  it('turns 401 into a failure that says what the API server must be configured with', () => {
    const [check] = checkReview({ kind: 'unauthorized', message: 'Unauthorized' }, 'https://k8s:6443', 'directly', c, { issuerUrl: ISSUER, clientId: 'kubernetes', rules: undefined });
    expect(check?.mark).toBe('fail');
    expect(check?.fix).toContain(`--oidc-issuer-url=${ISSUER} and --oidc-client-id=kubernetes`);
  });

  it('warns when the cluster is unreachable or does not serve SelfSubjectReview', () => {
    const expected = { issuerUrl: ISSUER, clientId: 'kubernetes', rules: undefined };
    expect(checkReview({ kind: 'unreachable', reason: 'connection refused' }, 'https://k8s:6443', 'directly', c, expected)[0]?.mark).toBe('warn');
    expect(checkReview({ kind: 'not-served' }, 'https://k8s:6443', 'directly', c, expected)[0]?.mark).toBe('warn');
    expect(checkReview({ kind: 'user', username: 'oidc:alice@example.com', groups: ['system:authenticated'], apiVersion: 'authentication.k8s.io/v1' }, 'https://k8s:6443', 'directly', c, expected).map((check) => check.id)).toEqual(['cluster', 'username', 'groups']);
  });
});
