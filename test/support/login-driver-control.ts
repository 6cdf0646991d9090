// Configures the login drivers (login-driver.mjs, chromium-login.mjs) through env, and reads their log.
import { existsSync, readFileSync } from 'node:fs';

/** How a driver run should behave; each field maps to one LOGIN_DRIVER_* variable. */
export interface LoginDriverSettings {
  /** LOGIN_DRIVER_LOG: the file the driver appends its launch/result lines to. */
  log?: string;
  /** LOGIN_DRIVER_CA_FILE: CA for an https provider (TestProvider.caFile). */
  caFile?: string;
  user?: string;
  password?: string;
  /** LOGIN_DRIVER_TAMPER=state: hit the callback with a forged state first (login-driver.mjs only). */
  tamperState?: boolean;
  delayMs?: number;
  timeoutMs?: number;
  /** LOGIN_DRIVER_PROBE: probe the loopback listener as an attacker first, writing the answers to this file (login-driver.mjs only). */
  probeFile?: string;
}

/** The environment variables for the driver (pass them to runCli/runKubectl or a kubeconfig's exec.env). */
export function loginDriverEnv(settings: LoginDriverSettings): Record<string, string> {
  const env: Record<string, string> = {};
  if (settings.log !== undefined) env.LOGIN_DRIVER_LOG = settings.log;
  if (settings.caFile !== undefined) env.LOGIN_DRIVER_CA_FILE = settings.caFile;
  if (settings.user !== undefined) env.LOGIN_DRIVER_USER = settings.user;
  if (settings.password !== undefined) env.LOGIN_DRIVER_PASSWORD = settings.password;
  if (settings.tamperState) env.LOGIN_DRIVER_TAMPER = 'state';
  if (settings.delayMs !== undefined) env.LOGIN_DRIVER_DELAY_MS = String(settings.delayMs);
  if (settings.timeoutMs !== undefined) env.LOGIN_DRIVER_TIMEOUT_MS = String(settings.timeoutMs);
  if (settings.probeFile !== undefined) env.LOGIN_DRIVER_PROBE = settings.probeFile;
  return env;
}

/** What a driver log says: how many browser launches, forged-state statuses, and run results. */
export interface DriverLog {
  launches: number;
  tamperStatuses: number[];
  results: ('ok' | 'error')[];
}

/** Parses a LOGIN_DRIVER_LOG file; a missing file means no launch. */
export function readDriverLog(file: string): DriverLog {
  const log: DriverLog = { launches: 0, tamperStatuses: [], results: [] };
  if (!existsSync(file)) return log;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('launch ')) log.launches += 1;
    const tamper = /^tamper-status=(\d+)$/.exec(line);
    if (tamper) log.tamperStatuses.push(Number(tamper[1]));
    const result = /^result=(ok|error)$/.exec(line);
    if (result) log.results.push(result[1] as 'ok' | 'error');
  }
  return log;
}
