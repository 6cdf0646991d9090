// An in-memory Keychain for tests of the store logic; failures are injected per method.
import type { Keychain } from '../../../src/cache/keychain-store.js';
import { createLogger, type Logger } from '../../../src/platform/logger.js';
import { Redactor } from '../../../src/platform/redactor.js';

/** A keychain kept in a Map, with optional failures. */
export class MemoryKeychain implements Keychain {
  readonly items = new Map<string, string>();
  failOn: Partial<Record<'get' | 'set' | 'delete' | 'accounts', string>> = {};
  /** Fail `set` after this many successful calls (to test rollback). */
  setsBeforeFailure = Infinity;

  #maybeFail(method: keyof MemoryKeychain['failOn']): void {
    const message = this.failOn[method];
    if (message !== undefined) throw Object.assign(new Error(message), { code: 'GenericFailure' });
  }
  get(account: string): string | undefined {
    this.#maybeFail('get');
    return this.items.get(account);
  }
  set(account: string, secret: string): void {
    this.#maybeFail('set');
    if (this.setsBeforeFailure-- <= 0) throw Object.assign(new Error("Couldn't access platform storage: Secret Service: no result found"), { code: 'GenericFailure' });
    this.items.set(account, secret);
  }
  delete(account: string): boolean {
    this.#maybeFail('delete');
    return this.items.delete(account);
  }
  accounts(): string[] {
    this.#maybeFail('accounts');
    return [...this.items.keys()];
  }
}

/** A logger that collects its lines. */
export function collectingLogger(verbose = false): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ write: (text: string) => lines.push(...text.trimEnd().split('\n')) }, verbose, new Redactor());
  return { logger, lines };
}
