// Test helpers for the get-token spine unit tests: unsigned JWTs, temp dirs and an in-memory logger.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, createLogger } from '../../../src/platform/logger.js';
import { Redactor } from '../../../src/platform/redactor.js';

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An unsigned compact JWT (`alg: none`) carrying `claims`. The use case only decodes cached tokens;
 * signature validation belongs to the provider adapter and is tested there.
 */
export function unsignedJwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.unsigned`;
}

/** A logger that writes to an array, with its own redactor (the process-wide one stays untouched). */
export function arrayLogger(verbose = false): { logger: Logger; text: () => string; lines: () => string[] } {
  const chunks: string[] = [];
  const logger = createLogger({ write: (text: string) => chunks.push(text) }, verbose, new Redactor());
  const text = (): string => chunks.join('');
  const lines = (): string[] => text().split('\n').filter((line) => line !== '');
  return { logger, text, lines };
}

/** Creates a fresh temp dir; the returned function removes it. */
export async function tempDir(prefix = 'kube-login-spine-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Seconds since the epoch of a UTC date, computed without the code under test. */
export const utcSeconds = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
