// Shared set-up of the glewlwyd tests: a temp home whose get-token logs in to glewlwyd through its
// login API (glewlwyd-login.mjs), listening on a port registered as an exact redirect URI.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type CliResult, makeTempHome, runCli } from '../../support/cli.js';
import type { Glewlwyd } from '../../support/glewlwyd.js';
import { newTokenRecord } from '../../support/leak-record.js';
import { readDriverLog, type DriverLog } from '../../support/login-driver-control.js';
import { repoRoot } from '../../support/paths.js';

/** The scopes every glewlwyd test asks for. */
export const SCOPES = ['email', 'groups', 'offline_access'];

/** The HTTP login driver for glewlwyd. */
export const glewlwydLoginScript = join(repoRoot, 'test', 'support', 'glewlwyd-login.mjs');

/** The cached entry as kube-login writes it to disk. */
export interface Entry {
  secrets: { idToken?: string; accessToken?: string; refreshToken?: string };
  times: Record<string, number>;
}

/** One user's machine against glewlwyd. */
export interface GlewlwydMachine {
  home: string;
  cacheDir: string;
  driverLog: string;
  flags: string[];
  env: Record<string, string> & { HOME: string };
  run(args: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
  getToken(extraArgs?: string[], options?: { env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult>;
  entryFile(): string;
  entry(): Entry;
  driver(): DriverLog;
}

/** A fresh machine: flags for the public client, the registered port `port`, the file cache; the browser is `browserScript`. */
export function glewlwydMachine(idp: Glewlwyd, options: { port?: number; extraFlags?: string[]; scopes?: string[]; browserScript?: string } = {}): GlewlwydMachine {
  const home = makeTempHome();
  const cacheDir = join(home, '.kube', 'cache', 'kube-login');
  const driverLog = join(home, 'driver.log');
  const flags = [
    `--oidc-issuer-url=${idp.issuer}`,
    `--oidc-client-id=${idp.publicClientId}`,
    ...(options.scopes ?? SCOPES).map((scope) => `--oidc-extra-scope=${scope}`),
    `--certificate-authority=${idp.caFile}`,
    `--browser-command=${process.execPath} ${options.browserScript ?? glewlwydLoginScript}`,
    `--listen-address=127.0.0.1:${options.port ?? idp.redirectPorts[0]}`,
    '--token-cache-storage=disk',
    ...(options.extraFlags ?? []),
  ];
  const env = {
    HOME: home,
    LOGIN_DRIVER_LOG: driverLog,
    LOGIN_DRIVER_CA_FILE: idp.caFile,
    LOGIN_DRIVER_USER: idp.user.username,
    LOGIN_DRIVER_PASSWORD: idp.user.password,
    LOGIN_DRIVER_CLIENT_ID: idp.publicClientId,
    LOGIN_DRIVER_SCOPE: ['openid', ...(options.scopes ?? SCOPES)].join(' '),
  };
  const self: GlewlwydMachine = {
    home,
    cacheDir,
    driverLog,
    flags,
    env,
    run: async (args, runOptions = {}) => {
      const result = await runCli(args, { env: { ...env, ...runOptions.env }, timeoutMs: runOptions.timeoutMs ?? 30_000 });
      recordCachedTokens(cacheDir);
      return result;
    },
    getToken: (extraArgs = [], runOptions) => self.run(['get-token', ...flags, ...extraArgs], runOptions),
    entryFile: () => {
      const files = readdirSync(cacheDir).filter((name) => name.endsWith('.json') && !name.startsWith('client-auth'));
      if (files.length !== 1) throw new Error(`expected one cache entry in ${cacheDir}, found: ${files.join(', ') || 'none'}`);
      return join(cacheDir, files[0] as string);
    },
    entry: () => JSON.parse(readFileSync(self.entryFile(), 'utf8')) as Entry,
    driver: () => readDriverLog(driverLog),
  };
  return self;
}

const recorded = new Set<string>();
let tokenRecord: ReturnType<typeof newTokenRecord> | undefined;

/**
 * glewlwyd issues tokens we cannot observe at the provider, so every token that reaches a cache entry
 * is recorded for the leak check (test/leak), which looks for them in all recorded stderr.
 */
export function recordCachedTokens(cacheDir: string): void {
  let names: string[];
  try {
    names = readdirSync(cacheDir).filter((name) => name.endsWith('.json'));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      const entry = JSON.parse(readFileSync(join(cacheDir, name), 'utf8')) as Partial<Entry>;
      for (const token of Object.values(entry.secrets ?? {})) {
        if (typeof token === 'string' && !recorded.has(token)) {
          recorded.add(token);
          tokenRecord ??= newTokenRecord();
          tokenRecord.append(`${token}\n`);
        }
      }
    } catch {
      // not an entry
    }
  }
}

/** The ExecCredential and JWT readers of the oidc-provider suites, which apply here unchanged. */
export { claimsOf, credential } from '../get-token/harness.js';
