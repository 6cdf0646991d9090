// Runs after the main suite: no token, code or secret the test provider issued may appear in any
// stderr a subprocess (kube-login, kubectl with its plugin) wrote during the suite.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leakRunDirToCheck, readLeakRecords } from '../support/leak-record.js';

/** The substrings that betray a secret: the whole value, and for a JWT its signature alone. */
function needles(secret: string): string[] {
  const parts = secret.split('.');
  const signature = parts.length === 3 ? parts[2] : undefined;
  return signature && signature.length >= 32 ? [secret, signature] : [secret];
}

/** A fingerprint to name a leaked secret without printing it. */
function fingerprint(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)} (${secret.length} chars)`;
}

describe('leak check', () => {
  const dir = leakRunDirToCheck();
  const { stderrLogs, tokens, secrets } = readLeakRecords(dir);

  it('has something to check (it must never pass vacuously)', () => {
    expect(
      stderrLogs.size,
      `no stderr logs in ${dir}: run the main suite first (vitest run --project main)`,
    ).toBeGreaterThan(0);
    expect(tokens.size, `no issued tokens recorded in ${dir}: did the main suite log in at all?`).toBeGreaterThan(0);
  });

  it('finds no issued token, code or secret in any recorded stderr', () => {
    const leaks: string[] = [];
    for (const [kind, values] of [['token', tokens], ['secret', secrets]] as const) {
      for (const value of values) {
        for (const needle of needles(value)) {
          for (const [file, text] of stderrLogs) {
            if (text.includes(needle)) {
              const what = needle === value ? kind : `${kind} signature`;
              leaks.push(`${file}: ${what} ${fingerprint(value)}`);
            }
          }
        }
      }
    }
    expect(leaks, `secrets found in stderr:\n${leaks.join('\n')}`).toEqual([]);
  });
});
