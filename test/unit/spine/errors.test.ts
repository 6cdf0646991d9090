// One error type, mapped to exit codes and text in one place: `kube-login: could not <action>: <reason>`,
// the fix, and no stack trace unless --verbose.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, exitCodeOf, formatError, toKubeLoginError } from '../../../src/cli/exit-codes.js';
import { KubeLoginError, isKubeLoginError } from '../../../src/errors.js';

/** The members of the ErrorCode union, read from src/errors.ts (vitest does not type-check). */
function declaredErrorCodes(): string[] {
  const source = readFileSync(fileURLToPath(new URL('../../../src/errors.ts', import.meta.url)), 'utf8');
  const union = /export type ErrorCode =([\s\S]*?);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/\|\s*'([a-z-]+)'/g)].map((match) => match[1] as string);
}

describe('exit codes', () => {
  it('has an exit code for every declared error code, and only for those', () => {
    const declared = declaredErrorCodes();
    expect(declared.length).toBeGreaterThan(5);
    expect(Object.keys(EXIT_CODES).sort()).toEqual([...declared].sort());
  });

  it('maps every error code to a non-zero exit status that fits a process exit code', () => {
    for (const [code, exit] of Object.entries(EXIT_CODES)) {
      expect(Number.isInteger(exit), code).toBe(true);
      expect(exit, code).toBeGreaterThan(0);
      expect(exit, code).toBeLessThan(256);
    }
  });

  it('uses 2 for usage errors, as command-line tools do', () => {
    expect(exitCodeOf(new KubeLoginError('usage', 'read the command line', "unknown option '--foo'"))).toBe(2);
  });
});

describe('toKubeLoginError', () => {
  it('passes a KubeLoginError through unchanged', () => {
    const error = new KubeLoginError('cache', 'write the token cache', 'disk full');
    expect(toKubeLoginError(error)).toBe(error);
  });

  it.each<[string, unknown]>([
    ['an Error', new TypeError('x is undefined')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an object', { weird: true }],
  ])('turns %s into an `internal` error that keeps it as the cause', (_name, thrown) => {
    const error = toKubeLoginError(thrown);
    expect(error).toBeInstanceOf(KubeLoginError);
    expect(error.code).toBe('internal');
    expect(error.cause).toBe(thrown);
    expect(exitCodeOf(error)).not.toBe(0);
  });

  it('keeps the original message in the reason', () => {
    expect(toKubeLoginError(new Error('socket hang up')).message).toContain('socket hang up');
  });
});

describe('KubeLoginError', () => {
  it('reads `could not <action>: <reason>` and keeps code, fix, cause and the OAuth error', () => {
    const cause = new Error('lower layer');
    const error = new KubeLoginError('provider-rejected', 'refresh the token', 'the provider answered invalid_grant', {
      fix: 'log in again',
      cause,
      oauthError: 'invalid_grant',
    });
    expect(error.message).toBe('could not refresh the token: the provider answered invalid_grant');
    expect(error.name).toBe('KubeLoginError');
    expect(error.code).toBe('provider-rejected');
    expect(error.fix).toBe('log in again');
    expect(error.cause).toBe(cause);
    expect(error.oauthError).toBe('invalid_grant');
    expect(error).toBeInstanceOf(Error);
  });

  it('is recognised by isKubeLoginError, optionally by code', () => {
    const error = new KubeLoginError('tls', 'fetch', 'bad cert');
    expect(isKubeLoginError(error)).toBe(true);
    expect(isKubeLoginError(error, 'tls', 'cache')).toBe(true);
    expect(isKubeLoginError(error, 'cache')).toBe(false);
    expect(isKubeLoginError(new Error('x'))).toBe(false);
  });
});

describe('formatError', () => {
  const inner = new Error('connect ECONNREFUSED 127.0.0.1:9');
  const middle = new TypeError('fetch failed', { cause: inner });
  const error = new KubeLoginError('provider-unreachable', 'read the discovery document', 'nothing is listening at 127.0.0.1:9', {
    fix: 'check the issuer URL',
    cause: middle,
  });

  it('prints one line and the fix, and nothing else, without --verbose', () => {
    expect(formatError(error, false)).toBe(
      'kube-login: could not read the discovery document: nothing is listening at 127.0.0.1:9\n  fix: check the issuer URL\n',
    );
  });

  it('prints just the line when there is no fix', () => {
    expect(formatError(new KubeLoginError('cache', 'write the token cache', 'disk full'), false)).toBe(
      'kube-login: could not write the token cache: disk full\n',
    );
  });

  it('shows no stack frame without --verbose, even for an internal error', () => {
    const text = formatError(toKubeLoginError(new TypeError('cannot read properties of undefined')), false);
    expect(text).not.toMatch(/^\s+at /m);
    expect(text).not.toContain('.ts:');
    expect(text.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('shows the whole cause chain with --verbose', () => {
    const text = formatError(error, true);
    expect(text.startsWith('kube-login: could not read the discovery document: nothing is listening at 127.0.0.1:9\n  fix: check the issuer URL\n')).toBe(true);
    expect(text).toContain('fetch failed');
    expect(text).toContain('connect ECONNREFUSED 127.0.0.1:9');
    // Outermost cause first.
    expect(text.indexOf('TypeError: fetch failed')).toBeLessThan(text.indexOf('Error: connect ECONNREFUSED'));
    expect(text).toMatch(/^\s+at /m);
  });

  it('shows a cause that is not an Error with --verbose', () => {
    const text = formatError(new KubeLoginError('internal', 'finish', 'boom', { cause: 'a thrown string' }), true);
    expect(text).toContain('a thrown string');
  });
});
