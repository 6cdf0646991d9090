// Shared set-up of the lifecycle integration tests (status, logout, doctor, proxy): the get-token
// machine of the get-token tests, plus direct calls to the provider that show what it thinks of a token.
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliResult, runCli } from '../../support/cli.js';
import type { TestProvider } from '../../support/provider.js';
import type { Machine } from '../get-token/harness.js';

export { claimsOf, credential, machine, SCOPES, type Machine } from '../get-token/harness.js';

/** Runs a kube-login command with the machine's get-token flags (status, logout, doctor take them all). */
export function runWithFlags(m: Machine, command: string, extra: string[] = [], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli([command, ...m.flags, ...extra], { env: { HOME: m.home, ...env } });
}

/** Asserts that no token the provider ever issued (nor a JWT's signature part) appears in the texts. */
export function expectNoIssuedToken(provider: TestProvider, ...texts: string[]): void {
  const all = texts.join('\n');
  const tokens = provider.issuedTokens();
  expect(tokens.length).toBeGreaterThan(0);
  for (const token of tokens) {
    expect(all.includes(token), 'an issued token was printed').toBe(false);
    const signature = token.split('.')[2];
    if (signature && signature.length > 16) expect(all.includes(signature), 'a token signature was printed').toBe(false);
  }
}

/** What the provider's token endpoint says to a refresh with `refreshToken` (status and OAuth error). */
export async function refreshAtProvider(provider: TestProvider, refreshToken: string, clientId: string = provider.publicClientId): Promise<{ status: number; error: string | undefined }> {
  const response = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, error: body.error };
}

/** The cache directory's file names (no lock or temp files expected after a command). */
export function cacheFiles(m: Machine): string[] {
  try {
    return readdirSync(m.cacheDir).filter((name) => name !== 'keychain-fallback.notice');
  } catch {
    return [];
  }
}

/**
 * A stand-in for a provider whose discovery document has no revocation_endpoint (and nothing else
 * kube-login calls): only to show what logout says then. Every other path is 404.
 */
export async function startDiscoveryOnlyProvider(): Promise<{ issuer: string; stop(): Promise<void> }> {
  let issuer = '';
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A browser command that only records the URL it was given in `file` (for --end-session). */
export function urlRecorder(dir: string): { command: string; file: string } {
  const script = join(dir, 'record-url.mjs');
  const file = join(dir, 'opened-urls.txt');
  writeFileSync(script, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(file)}, process.argv.at(-1) + '\\n');\n`);
  return { command: `${process.execPath} ${script}`, file };
}
