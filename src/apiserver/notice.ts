// Notes and warnings the builders return; the use case prints them on stderr, never on stdout.

/** A note (information) or a warning (the apiserver would start, but something is likely wrong), with its fix. */
export interface Notice {
  readonly level: 'note' | 'warning';
  readonly text: string;
  readonly fix?: string;
}

/** A note. */
export function note(text: string, fix?: string): Notice {
  return fix === undefined ? { level: 'note', text } : { level: 'note', text, fix };
}

/** A warning. */
export function warning(text: string, fix?: string): Notice {
  return fix === undefined ? { level: 'warning', text } : { level: 'warning', text, fix };
}
