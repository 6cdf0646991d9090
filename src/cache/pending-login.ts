// The pending-login file `<cache-dir>/<id>.pending` (0600): a login started with `login --no-wait`
// that a detached kube-login process is waiting to finish. It holds where to log in and who waits,
// never a secret: the state, nonce and PKCE verifier stay in that process's memory (RFC 7636 4.1).
import { readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { atomicWriteFile } from '../platform/atomic-write.js';
import { isProcessAlive } from './file-lock.js';
import { pidNamespace } from './lock-handoff.js';

/** The grants a detached login can wait for: a loopback redirect or a device-code poll. */
export type PendingGrant = 'authcode' | 'device-code';

/** A login waiting for a person, and the process that waits for it. */
export interface PendingLogin {
  pid: number;
  host: string;
  pidNamespace?: string;
  /** The authorization URL (authcode), or the verification URI (device code). */
  url: string;
  /** The device code grant's user code, to type on the verification page. */
  userCode?: string;
  grant: PendingGrant;
  /** When the waiting process gives up (--authentication-timeout-sec, or the device code's expiry). */
  expiresAt: string;
  startedAt: string;
  /** The waiting process's log (0600). */
  logFile: string;
  /** The kubeconfig context it was started for, if any. */
  context?: string;
}

/** The pending-login file name of a cache key. */
export function pendingFileName(id: string): string {
  return `${id}.pending`;
}

/** The log file of a detached login of a cache key. */
export function loginLogPath(dir: string, id: string): string {
  return join(dir, `${id}.login.log`);
}

function parse(text: string): PendingLogin | undefined {
  try {
    const data = JSON.parse(text) as Partial<PendingLogin>;
    if (!Number.isInteger(data.pid) || typeof data.host !== 'string' || typeof data.url !== 'string' || typeof data.expiresAt !== 'string') return undefined;
    if (data.grant !== 'authcode' && data.grant !== 'device-code') return undefined;
    return data as PendingLogin;
  } catch {
    return undefined;
  }
}

/**
 * The live pending login of a key: its process still runs (same host and pid namespace) and its time
 * is not up. A file left by a process that died counts as no pending login.
 */
export async function readPendingLogin(dir: string, id: string, nowMs: number = Date.now()): Promise<PendingLogin | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, pendingFileName(id)), 'utf8');
  } catch {
    return undefined;
  }
  const pending = parse(text);
  if (!pending) return undefined;
  if (Date.parse(pending.expiresAt) <= nowMs) return undefined;
  if (pending.host !== hostname() || pending.pidNamespace !== pidNamespace()) return pending;
  return isProcessAlive(pending.pid) ? pending : undefined;
}

/** The pending login of this process, as written by writePendingLogin. */
export function newPendingLogin(fields: Omit<PendingLogin, 'pid' | 'host' | 'pidNamespace' | 'startedAt'>): PendingLogin {
  const namespace = pidNamespace();
  return { pid: process.pid, host: hostname(), ...(namespace ? { pidNamespace: namespace } : {}), startedAt: new Date().toISOString(), ...fields };
}

/** Writes the pending-login file atomically, mode 0600. */
export async function writePendingLogin(dir: string, id: string, pending: PendingLogin): Promise<void> {
  await atomicWriteFile(join(dir, pendingFileName(id)), JSON.stringify(pending, null, 2) + '\n', 0o600);
}

/** Removes the pending-login file; with `pid`, only when it still names that process. */
export async function removePendingLogin(dir: string, id: string, pid?: number): Promise<void> {
  const path = join(dir, pendingFileName(id));
  if (pid !== undefined) {
    const current = await readFile(path, 'utf8').then(parse, () => undefined);
    if (current && current.pid !== pid) return;
  }
  await rm(path, { force: true });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Cancels the live pending login of a key on this machine: SIGTERM to the waiting process (which
 * closes its listener or stops polling, removes the file and exits), then waits up to `waitMs` for it
 * to end, and removes the file in any case. Returns what was cancelled.
 */
export async function cancelPendingLogin(dir: string, id: string, waitMs: number = 5_000): Promise<PendingLogin | undefined> {
  const pending = await readPendingLogin(dir, id);
  if (!pending || pending.host !== hostname() || pending.pidNamespace !== pidNamespace()) return undefined;
  try {
    process.kill(pending.pid, 'SIGTERM');
  } catch {
    // It ended meanwhile.
  }
  const deadline = Date.now() + waitMs;
  while (isProcessAlive(pending.pid) && Date.now() < deadline) await sleep(50);
  await removePendingLogin(dir, id, pending.pid);
  return pending;
}
