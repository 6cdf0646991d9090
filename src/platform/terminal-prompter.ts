// The guided mode's terminal: questions on stderr, answers from stdin, one readline per question so
// that nothing reads stdin while the browser login runs.
import { createInterface } from 'node:readline/promises';
import { KubeLoginError } from '../errors.js';
import type { AskOptions, Prompter } from '../usecases/setup/prompter.js';

/** The streams of the terminal. */
export interface TerminalStreams {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
}

function cancelled(): KubeLoginError {
  return new KubeLoginError('login-cancelled', 'finish setup', 'stopped at a question (Ctrl-C or end of input); nothing was written', {
    fix: 'run kube-login setup again, or pass the values as flags',
  });
}

/** A Prompter over a terminal; Ctrl-C or end of input stops setup before anything is written. */
export function createTerminalPrompter(streams: TerminalStreams): Prompter {
  const question = async (text: string): Promise<string> => {
    const rl = createInterface({ input: streams.input, output: streams.output, terminal: true });
    let onClose: (() => void) | undefined;
    try {
      return await new Promise<string>((resolve, reject) => {
        // The error is printed after the question: end its line first.
        onClose = () => {
          streams.output.write('\n');
          reject(cancelled());
        };
        rl.once('SIGINT', () => {
          streams.output.write('\n');
          reject(cancelled());
        });
        rl.once('close', onClose);
        rl.question(text).then(resolve, reject);
      });
    } finally {
      // Only our listener: readline detaches itself from the terminal in its own 'close' listener.
      if (onClose) rl.off('close', onClose);
      rl.close();
    }
  };
  return {
    async ask(text: string, options: AskOptions = {}): Promise<string> {
      const suffix = options.default === undefined ? '' : options.default === '' ? ' []' : ` [${options.default}]`;
      for (;;) {
        const answer = (await question(`${text}${suffix}: `)).trim();
        const value = answer === '' && options.default !== undefined ? options.default : answer;
        const problem = options.validate?.(value);
        if (problem === undefined) return value;
        streams.output.write(`  ${problem}\n`);
      }
    },
    async confirm(text: string, defaultYes: boolean): Promise<boolean> {
      for (;;) {
        const answer = (await question(`${text} ${defaultYes ? '[Y/n]' : '[y/N]'}: `)).trim().toLowerCase();
        if (answer === '') return defaultYes;
        if (['y', 'yes'].includes(answer)) return true;
        if (['n', 'no'].includes(answer)) return false;
        streams.output.write('  answer y or n\n');
      }
    },
  };
}
