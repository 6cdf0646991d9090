// glewlwyd end to end: setup's provider checks and redirect URIs, `kubectl auth whoami` through
// kube-login against the stand-in API server configured for glewlwyd's issuer and CA, and doctor on
// that context (the refresh without ID token, whether access-token mode would work, port 0).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApiServer, startApiServer } from '../../support/apiserver.js';
import { runCli } from '../../support/cli.js';
import { type Glewlwyd, startGlewlwyd } from '../../support/glewlwyd.js';
import { runKubectl, writeExecKubeconfig } from '../../support/kubeconfig.js';
import { kubeLoginArgv } from '../../support/paths.js';
import { glewlwydMachine } from './harness.js';

interface WhoAmI {
  status: { userInfo: { username: string; groups: string[] } };
}

const lineWith = (stderr: string, pattern: RegExp): string | undefined => stderr.split('\n').find((line) => pattern.test(line));

describe('glewlwyd with kubectl, setup and doctor', () => {
  let idp: Glewlwyd;
  let apiserver: TestApiServer;
  beforeAll(async () => {
    idp = await startGlewlwyd();
    apiserver = await startApiServer({
      issuer: idp.issuer, audiences: [idp.publicClientId], caFile: idp.caFile,
      usernameClaim: 'email', usernamePrefix: 'oidc:', groupsClaim: 'groups', groupsPrefix: 'oidc:',
    });
  });
  afterAll(async () => {
    await apiserver?.stop();
    await idp?.stop();
  });

  it('setup checks glewlwyd, names the exact redirect URIs to register, and logs in once', async () => {
    const m = glewlwydMachine(idp, { port: idp.redirectPorts[1] });
    const result = await m.run(['setup', ...m.flags, `--server=${apiserver.url}`, `--cluster-certificate-authority=${apiserver.caFile}`, '--cluster=glewlwyd', '--dry-run', '--username-claim=email', '--groups-claim=groups', '--groups-prefix=oidc:'], { timeoutMs: 45_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`the discovery issuer equals the issuer URL "${idp.issuer}"`);
    expect(result.stderr).toContain('PKCE S256 is supported');
    expect(lineWith(result.stderr, /Redirect URIs the client must have registered/), result.stderr).toContain(`http://localhost:${idp.redirectPorts[1]}/`);
    expect(result.stderr).toMatch(/Username: +dev-user@example\.test/);
    expect(result.stderr).toMatch(/Groups: +.*oidc:developers.*oidc:kube-viewers/);
  });

  it('kubectl auth whoami shows the glewlwyd user through kube-login; doctor checks the context', async () => {
    const m = glewlwydMachine(idp);
    const kubeconfig = writeExecKubeconfig({
      dir: m.home, server: apiserver.url, caFile: apiserver.caFile, ...kubeLoginArgv(['get-token', ...m.flags]),
    });
    const whoami = await runKubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig, env: m.env });
    expect(whoami.code, whoami.stderr).toBe(0);
    const user = (JSON.parse(whoami.stdout) as WhoAmI).status.userInfo;
    expect(user.username).toBe(`oidc:${idp.user.email}`);
    expect(user.groups).toEqual(['oidc:developers', 'oidc:kube-viewers', 'system:authenticated']);
    expect(m.driver().launches).toBe(1);

    const refreshBefore = m.entry().secrets.refreshToken;
    const doctor = await runCli(['doctor', '--kubeconfig', kubeconfig], { env: { ...m.env, KUBECONFIG: undefined } });
    // glewlwyd sends no ID token on refresh: the refresh check fails and says what helps.
    expect(doctor.code, doctor.stderr).toBe(11);
    expect(lineWith(doctor.stderr, /no ID token on refresh/)).toMatch(/^✗/);
    // The rotated refresh token was saved: doctor left no spent grant behind.
    const refreshAfter = m.entry().secrets.refreshToken;
    expect(refreshAfter === refreshBefore, 'doctor must save the rotated refresh token').toBe(false);
    const again = await m.getToken(['--force-refresh', '--oidc-use-access-token']);
    expect(again.code, again.stderr).toBe(0);
    // Access-token mode checked on the real access token: a JWT from glewlwyd signed by its JWKS, but its
    // aud is not the client ID, so the API server would need another audience.
    const mode = lineWith(doctor.stderr, /access token is a JWT from/);
    expect(mode, doctor.stderr).toMatch(/^! /);
    expect(mode).toContain('signed by a key of its JWKS');
    expect(doctor.stderr).toContain('✓ the API server');
  });

  it('doctor warns that port 0 cannot work with providers that match redirect URIs exactly', async () => {
    const m = glewlwydMachine(idp, { extraFlags: ['--listen-address=127.0.0.1:0'] });
    const doctor = await m.run(['doctor', ...m.flags, '--listen-address=127.0.0.1:0']);
    expect(lineWith(doctor.stderr, /--listen-address uses port 0/), doctor.stderr).toMatch(/^! /);
  });
});
