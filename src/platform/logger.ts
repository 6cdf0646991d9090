// Everything a person reads goes to stderr; stdout belongs to the ExecCredential.
import { Redactor, processRedactor } from './redactor.js';
import { terminalText } from './terminal-text.js';

/** Where log text goes: anything with a `write(string)`, normally process.stderr. */
export interface TextSink {
  write(text: string): unknown;
}

/** The logger port used by every use case. */
export interface Logger {
  /** A line the user should always see. */
  info(message: string): void;
  /** A line about something that went wrong but was handled. */
  warn(message: string): void;
  /** A line shown only with -v/--verbose. */
  debug(message: string): void;
  readonly verbose: boolean;
  readonly redactor: Redactor;
}

/** A logger that masks registered secrets, escapes control characters, and writes each message as one line to the sink. */
export function createLogger(sink: TextSink, verbose: boolean, redactor: Redactor = processRedactor): Logger {
  const emit = (prefix: string, message: string): void => {
    // Masked first (a secret is matched as issued), then no ESC or other control can reach the terminal.
    sink.write(terminalText(redactor.mask(`${prefix}${message}`)) + '\n');
  };
  return {
    verbose,
    redactor,
    info: (message) => emit('', message),
    warn: (message) => emit('kube-login: warning: ', message),
    debug: (message) => {
      if (verbose) emit('kube-login: debug: ', message);
    },
  };
}
