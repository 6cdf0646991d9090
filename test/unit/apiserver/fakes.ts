// Fake ports for the apiserver-config and rbac use cases: in-memory files, captured streams, a fixed clock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../../src/platform/logger.js';
import { Redactor } from '../../../src/platform/redactor.js';
import type { ApiserverConfigDeps, ProviderPorts } from '../../../src/usecases/apiserver-config.js';
import type { RbacDeps } from '../../../src/usecases/rbac.js';
import { GOLDEN_DIR } from './golden.js';

/** The committed test CA (valid until 2126). */
export const TEST_CA_PEM = readFileSync(join(GOLDEN_DIR, 'ca.pem'), 'utf8');

/** 2026-01-01T00:00:00Z. */
export const FIXED_NOW = Date.UTC(2026, 0, 1);

/** Captured output of one run. */
export interface Captured {
  stdout: string;
  stderr: string;
  written: Map<string, string>;
  providerCalls: number;
}

/** Options for the fake ports. */
export interface FakeOptions {
  files?: Record<string, string>;
  stdin?: string;
  provider?: ProviderPorts;
  now?: number;
}

function fakeFiles(options: FakeOptions, captured: Captured) {
  const files = options.files ?? {};
  return {
    readText: async (path: string): Promise<string> => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      return text;
    },
    readStdin: async (): Promise<string> => options.stdin ?? '',
    writeFileAtomic: async (path: string, text: string): Promise<void> => {
      captured.written.set(path, text);
    },
    stdout: { write: (text: string) => (captured.stdout += text) },
  };
}

/** Fake deps for apiserver-config; without `provider`, any provider call fails the test. */
export function fakeApiserverConfigDeps(options: FakeOptions = {}): { deps: ApiserverConfigDeps; captured: Captured } {
  const captured: Captured = { stdout: '', stderr: '', written: new Map(), providerCalls: 0 };
  const deps: ApiserverConfigDeps = {
    ...fakeFiles(options, captured),
    logger: createLogger({ write: (text: string) => (captured.stderr += text) }, false, new Redactor()),
    clock: { now: () => options.now ?? FIXED_NOW },
    provider: async () => {
      captured.providerCalls += 1;
      if (!options.provider) throw new Error('the provider must not be contacted in this test');
      return options.provider;
    },
  };
  return { deps, captured };
}

/** Fake deps for rbac. */
export function fakeRbacDeps(options: FakeOptions = {}): { deps: RbacDeps; captured: Captured } {
  const captured: Captured = { stdout: '', stderr: '', written: new Map(), providerCalls: 0 };
  const deps: RbacDeps = {
    ...fakeFiles(options, captured),
    logger: createLogger({ write: (text: string) => (captured.stderr += text) }, false, new Redactor()),
  };
  return { deps, captured };
}
