// Defence in depth: every secret we hold is registered here, and every line we print is masked.

/** Masks registered secrets (tokens, codes, client secrets) in text before it is printed. */
export class Redactor {
  readonly #secrets = new Set<string>();

  /** Registers a secret; values shorter than 8 characters are ignored (they would mask ordinary words). */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 8) this.#secrets.add(secret);
  }

  /** The text with every registered secret replaced by `[redacted]`. */
  mask(text: string): string {
    let out = text;
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    }
    return out;
  }
}

/** The process-wide redactor: the logger and the error printer both mask through it. */
export const processRedactor = new Redactor();
