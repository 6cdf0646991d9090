// The terminal: whether a person can be asked something here, and a prompt that reads one line
// (with the echo off for secrets). Prompts go to stderr; stdout belongs to the ExecCredential.
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ReadStream } from 'node:tty';
import { KubeLoginError } from '../errors.js';
import type { TextSink } from './logger.js';

/** What the process knows about its streams and its caller. */
export interface TerminalFacts {
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  /** KUBERNETES_EXEC_INFO spec.interactive; undefined when kubectl did not run us. */
  interactive: boolean | undefined;
}

/** Options of one question. */
export interface ReadLineOptions {
  /** Turn the echo off (passwords, authorization codes). */
  secret: boolean;
  /** Aborts the question (timeout, Ctrl-C outside the prompt) with the signal's reason. */
  signal?: AbortSignal;
}

/** The terminal port of the grants that ask a person something. */
export interface Terminal {
  /** Why no question can be asked here, or undefined when one can. */
  unavailableReason(): string | undefined;
  /** Asks on stderr and reads one line; rejects with 'login-cancelled' on Ctrl-C or end of input. */
  readLine(question: string, options: ReadLineOptions): Promise<string>;
}

/**
 * Why no prompt can be shown, or undefined. kubectl says whether it handed us its terminal
 * (SPECS A.5: with spec.interactive false our stdin is /dev/null), and we respect that even when a
 * controlling terminal exists: `interactiveMode: Never` means "do not ask". A prompt on a stderr that
 * is not a terminal would not be seen. Without a terminal on stdin we read from /dev/tty, as ssh and
 * sudo do, when the process has a controlling terminal.
 */
export function whyNoTerminal(facts: TerminalFacts, canOpenControllingTerminal: () => boolean): string | undefined {
  if (facts.interactive === false) return 'kubectl ran kube-login without a terminal (KUBERNETES_EXEC_INFO has spec.interactive false)';
  if (!facts.stderrIsTTY) return 'standard error is not a terminal, so nobody would see a question';
  if (!facts.stdinIsTTY && !canOpenControllingTerminal()) return 'standard input is not a terminal and there is no controlling terminal (/dev/tty)';
  return undefined;
}

/** True when /dev/tty can be opened for reading (never on Windows). */
export function canOpenDevTty(): boolean {
  if (process.platform === 'win32') return false;
  try {
    closeSync(openSync('/dev/tty', 'r'));
    return true;
  } catch {
    return false;
  }
}

interface TerminalInput {
  stream: NodeJS.ReadableStream;
  close(): void;
}

function openInput(stdinIsTTY: boolean): TerminalInput {
  if (stdinIsTTY) return { stream: process.stdin, close: () => process.stdin.pause() };
  const stream = new ReadStream(openSync('/dev/tty', 'r'));
  return { stream, close: () => stream.destroy() };
}

const cancelled = (how: string): KubeLoginError =>
  new KubeLoginError('login-cancelled', 'read the answer from the terminal', how, { fix: 'run the command again to log in' });

/** The real terminal of this process; `stderr` is where questions are written. */
export function createTerminal(facts: TerminalFacts, stderr: TextSink): Terminal {
  let reason: { value: string | undefined } | undefined;
  return {
    unavailableReason() {
      reason ??= { value: whyNoTerminal(facts, canOpenDevTty) };
      return reason.value;
    },
    async readLine(question, { secret, signal }) {
      signal?.throwIfAborted();
      const input = openInput(facts.stdinIsTTY);
      // readline echoes what is typed through `output`; for a secret everything after the question is dropped.
      let muted = false;
      const output = new Writable({
        write(chunk: Buffer | string, _encoding, done) {
          if (!muted) stderr.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
          done();
        },
      });
      const rl = createInterface({ input: input.stream, output, terminal: true, historySize: 0 });
      let onAbort: (() => void) | undefined;
      try {
        return await new Promise<string>((resolve, reject) => {
          // In raw mode Ctrl-C reaches readline as a key, not as a signal to the process.
          rl.once('SIGINT', () => reject(cancelled('interrupted by Ctrl-C')));
          rl.once('close', () => reject(cancelled('the terminal closed (end of input)')));
          onAbort = () => reject(signal?.reason);
          signal?.addEventListener('abort', onAbort, { once: true });
          rl.question(question, (answer) => resolve(answer));
          muted = secret;
        });
      } finally {
        if (onAbort) signal?.removeEventListener('abort', onAbort);
        rl.removeAllListeners('close');
        rl.close();
        if (secret) stderr.write('\n');
        input.close();
      }
    },
  };
}

/**
 * Refuses a grant that must ask a person something when no terminal is available: one line naming
 * what is missing, and the command to run in a terminal ('login-required', exit code 6).
 */
export function requireTerminal(terminal: Terminal, action: string, needs: string, loginCommand: string): void {
  const reason = terminal.unavailableReason();
  if (reason === undefined) return;
  throw new KubeLoginError('login-required', action, `it needs a terminal to ${needs}, and ${reason}`, {
    fix: `log in once from a terminal (later calls use the cached token): ${loginCommand}`,
  });
}
