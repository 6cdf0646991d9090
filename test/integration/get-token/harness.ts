// Shared set-up of the get-token integration tests: a temp home, the login driver, the CLI flags.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cacheKey } from '../../../src/cache/key.js';
import { type CliResult, makeTempHome, runCli } from '../../support/cli.js';
import { loginDriverEnv, readDriverLog, type DriverLog, type LoginDriverSettings } from '../../support/login-driver-control.js';
import { loginDriverScript } from '../../support/paths.js';
import type { TestProvider } from '../../support/provider.js';

/** The scopes every test asks for. */
export const SCOPES = ['email', 'groups', 'offline_access'];

/** One user's machine: a home directory, a driver log, and get-token flags for a provider. */
export interface Machine {
  home: string;
  cacheDir: string;
  driverLog: string;
  flags: string[];
  run(extraArgs?: string[], options?: { env?: Record<string, string | undefined>; driver?: LoginDriverSettings; timeoutMs?: number; cwd?: string }): Promise<CliResult>;
  entryPath(): string;
  entry(): { secrets?: { idToken: string; refreshToken?: string }; times: { idTokenExpiresAt: number } };
  driver(): DriverLog;
}

/** A fresh machine whose get-token logs in through the HTTP login driver. */
export function machine(
  provider: Pick<TestProvider, 'issuer' | 'publicClientId' | 'caFile'>,
  extraFlags: string[] = [],
  listenAddresses: string[] = ['127.0.0.1:0'],
): Machine {
  const home = makeTempHome();
  const cacheDir = join(home, '.kube', 'cache', 'kube-login');
  const driverLog = join(home, 'driver.log');
  const flags = [
    `--oidc-issuer-url=${provider.issuer}`,
    `--oidc-client-id=${provider.publicClientId}`,
    ...SCOPES.map((scope) => `--oidc-extra-scope=${scope}`),
    `--browser-command=${process.execPath} ${loginDriverScript}`,
    ...listenAddresses.map((address) => `--listen-address=${address}`),
    '--token-cache-storage=disk',
    ...extraFlags,
  ];
  const id = cacheKey({ issuer: provider.issuer, clientId: provider.publicClientId, scopes: SCOPES, extraParams: {} }).id;
  const self: Machine = {
    home,
    cacheDir,
    driverLog,
    flags,
    run: (extraArgs = [], options = {}) =>
      runCli(['get-token', ...flags, ...extraArgs], {
        env: { HOME: home, ...loginDriverEnv({ log: driverLog, ...(provider.caFile ? { caFile: provider.caFile } : {}), ...options.driver }), ...options.env },
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.cwd ? { cwd: options.cwd } : {}),
      }),
    entryPath: () => join(cacheDir, `${id}.json`),
    entry: () => JSON.parse(readFileSync(self.entryPath(), 'utf8')),
    driver: () => readDriverLog(driverLog),
  };
  return self;
}

/** The parsed ExecCredential of a run, failing with the run's stderr when stdout is not one. */
export function credential(result: CliResult): { apiVersion: string; kind: string; status: { token: string; expirationTimestamp: string } } {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`stdout is not an ExecCredential (exit ${result.code}):\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

/** The JSON payload of a compact JWT. */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

/** The permission bits of a path. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** Waits until the clock passes `epochSeconds` (plus a little). */
export async function waitUntil(epochSeconds: number): Promise<void> {
  const ms = epochSeconds * 1000 - Date.now() + 150;
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}
