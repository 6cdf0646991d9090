// Records every stderr byte and every issued token on disk, so the leak check can compare them later.
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { leakCheckDir } from './paths.js';

/** Set by the main suite's global setup to this run's folder under .tmp/leak-check. */
export const LEAK_RUN_DIR_ENV = 'KUBE_LOGIN_LEAK_RUN_DIR';

/** Where this process records: the run's folder, or .tmp/leak-check/adhoc outside a vitest run. */
export function leakRunDir(): string {
  return process.env[LEAK_RUN_DIR_ENV] ?? join(leakCheckDir, 'adhoc');
}

let stderrFiles = 0;
let tokenFiles = 0;
let secretFiles = 0;

/** A file that collects one kind of record; `append` is synchronous so nothing is lost if a test dies. */
export interface RecordFile {
  readonly path: string;
  append(data: string | Uint8Array): void;
}

function recordFile(name: string): RecordFile {
  const dir = leakRunDir();
  const path = join(dir, name);
  return {
    path,
    append(data) {
      mkdirSync(dir, { recursive: true });
      appendFileSync(path, data);
    },
  };
}

/** A new `stderr-<pid>-<n>.log` file for one subprocess's stderr. */
export function newStderrRecord(): RecordFile {
  stderrFiles += 1;
  return recordFile(`stderr-${process.pid}-${stderrFiles}.log`);
}

/** A new `tokens-<pid>-<n>.txt` file for one provider's issued tokens (one per line). */
export function newTokenRecord(): RecordFile {
  tokenFiles += 1;
  return recordFile(`tokens-${process.pid}-${tokenFiles}.txt`);
}

/** A new `secrets-<pid>-<n>.txt` file for other secrets: codes, device codes, client secrets. */
export function newSecretRecord(): RecordFile {
  secretFiles += 1;
  return recordFile(`secrets-${process.pid}-${secretFiles}.txt`);
}

/** Everything recorded so far. */
export interface LeakRecords {
  /** stderr log contents by file name. */
  stderrLogs: Map<string, string>;
  /** Every distinct id/access/refresh token issued. */
  tokens: Set<string>;
  /** Every distinct other secret (codes, device codes, client secrets). */
  secrets: Set<string>;
}

function lines(text: string): string[] {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

/**
 * The folder the leak check reads: this vitest run's (same invocation), else the one
 * .tmp/leak-check/latest names (a separate `vitest run --project leak` after the main suite).
 */
export function leakRunDirToCheck(): string {
  const fromEnv = process.env[LEAK_RUN_DIR_ENV];
  if (fromEnv) return fromEnv;
  const latest = join(leakCheckDir, 'latest');
  return existsSync(latest) ? join(leakCheckDir, readFileSync(latest, 'utf8').trim()) : join(leakCheckDir, 'adhoc');
}

/** Reads every record in a leak-check run folder. */
export function readLeakRecords(dir: string = leakRunDirToCheck()): LeakRecords {
  const records: LeakRecords = { stderrLogs: new Map(), tokens: new Set(), secrets: new Set() };
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return records;
  }
  for (const name of names) {
    const text = readFileSync(join(dir, name), 'utf8');
    if (name.startsWith('stderr-') && name.endsWith('.log')) records.stderrLogs.set(name, text);
    if (name.startsWith('tokens-') && name.endsWith('.txt')) for (const line of lines(text)) records.tokens.add(line);
    if (name.startsWith('secrets-') && name.endsWith('.txt')) for (const line of lines(text)) records.secrets.add(line);
  }
  return records;
}
