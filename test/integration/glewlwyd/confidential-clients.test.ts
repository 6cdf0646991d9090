// Confidential clients whose IDs contain dashes against glewlwyd: it does not form-decode an HTTP
// Basic client ID (RFC 6749 2.3.1 requires it) and answers 403 or 400 with an empty body, so kube-login
// retries once with client_secret_post and remembers the method that worked. Also revocation at logout.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Glewlwyd, startGlewlwyd } from '../../support/glewlwyd.js';
import { claimsOf, credential, glewlwydMachine } from './harness.js';

describe('confidential clients with dashes in their IDs (glewlwyd)', () => {
  let idp: Glewlwyd;
  beforeAll(async () => {
    idp = await startGlewlwyd();
  });
  afterAll(() => idp?.stop());

  const memoryFiles = (cacheDir: string): string[] => readdirSync(cacheDir).filter((name) => name.startsWith('client-auth-'));

  it('client credentials: falls back to client_secret_post, remembers it in a 0600 file, and uses it first next time', async () => {
    const m = glewlwydMachine(idp);
    const flags = [
      `--oidc-issuer-url=${idp.issuer}`, `--oidc-client-id=${idp.robot.id}`, `--oidc-client-secret=${idp.robot.secret}`,
      '--grant-type=client-credentials', '--oidc-extra-scope=kube-api', '--oidc-use-access-token',
      `--certificate-authority=${idp.caFile}`, '--token-cache-storage=disk',
    ];
    const first = await m.run(['get-token', ...flags, '-v']);
    expect(first.code, first.stderr).toBe(0);
    const token = credential(first).status.token;
    expect(claimsOf(token)['client_id']).toBe(idp.robot.id);
    const files = memoryFiles(m.cacheDir);
    expect(files).toHaveLength(1);
    const memory = join(m.cacheDir, files[0] as string);
    expect(statSync(memory).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(memory, 'utf8'))).toEqual({ issuer: idp.issuer, clientId: idp.robot.id, method: 'client_secret_post' });
    expect(readFileSync(memory, 'utf8')).not.toContain(idp.robot.secret);

    // A later run asks with the remembered method first (client_secret_post) and still works.
    const second = await m.run(['get-token', ...flags, '--force-refresh']);
    expect(second.code, second.stderr).toBe(0);
    expect(credential(second).status.token === token, 'the token must have changed').toBe(false);
  });

  it('the password grant works with a dashed client ID (client_secret_post after a refused Basic)', async () => {
    const m = glewlwydMachine(idp);
    const result = await m.run([
      'get-token', `--oidc-issuer-url=${idp.issuer}`, `--oidc-client-id=${idp.passwordClient.id}`, `--oidc-client-secret=${idp.passwordClient.secret}`,
      '--grant-type=password', `--username=${idp.user.username}`, `--password=${idp.user.password}`,
      '--oidc-extra-scope=email', '--oidc-extra-scope=groups', '--oidc-use-access-token',
      `--certificate-authority=${idp.caFile}`, '--token-cache-storage=disk',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(claimsOf(credential(result).status.token)['client_id']).toBe(idp.passwordClient.id);
    expect(result.stderr).not.toContain(idp.passwordClient.secret);
  });

  const passwordFlags = (): string[] => [
    `--oidc-issuer-url=${idp.issuer}`, `--oidc-client-id=${idp.passwordClient.id}`, `--oidc-client-secret=${idp.passwordClient.secret}`,
    '--grant-type=password', `--username=${idp.user.username}`, `--password=${idp.user.password}`,
    '--oidc-extra-scope=offline_access', '--oidc-use-access-token', `--certificate-authority=${idp.caFile}`, '--token-cache-storage=disk',
  ];

  /** A refresh with `refreshToken` straight at glewlwyd's token endpoint (client_secret_post): its HTTP status. */
  const refreshStatus = async (refreshToken: string): Promise<number> => {
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: idp.passwordClient.id, client_secret: idp.passwordClient.secret });
    const dispatcher = new Agent({ connect: { ca: idp.certs.caPem } });
    const response = await fetch(`${idp.issuer}/token`, { method: 'POST', body, dispatcher } as RequestInit);
    await response.arrayBuffer();
    await dispatcher.close();
    return response.status;
  };

  it('logout revokes the refresh token at the revocation endpoint (client_secret_post after a refused Basic)', async () => {
    const m = glewlwydMachine(idp);
    const login = await m.run(['get-token', ...passwordFlags()]);
    expect(login.code, login.stderr).toBe(0);
    const refreshToken = m.entry().secrets.refreshToken as string;
    expect(refreshToken).toBeTruthy();
    const logout = await m.run(['logout', ...passwordFlags()]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stderr).toContain('revoked the refresh token at the provider');
    expect(logout.stderr).not.toContain(idp.passwordClient.secret);
    // Revoked at glewlwyd: the refresh token no longer works.
    expect(await refreshStatus(refreshToken)).toBe(400);
  });

  it('an error answer with an empty body names the endpoint and the HTTP status', async () => {
    const m = glewlwydMachine(idp);
    const result = await m.run([
      'get-token', `--oidc-issuer-url=${idp.issuer}`, `--oidc-client-id=${idp.robot.id}`, '--oidc-client-secret=not-the-secret',
      '--grant-type=client-credentials', '--oidc-extra-scope=kube-api', '--oidc-use-access-token', `--certificate-authority=${idp.caFile}`,
      '--token-cache-storage=disk',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/kube-login: could not get a token with the client credentials grant: the token endpoint answered HTTP 40[03] with an empty body\n {2}fix: check --oidc-client-id and --oidc-client-secret/);
    expect(result.stderr).not.toContain('unexpected response content-type');
    expect(memoryFiles(m.cacheDir)).toEqual([]);
  });
});
