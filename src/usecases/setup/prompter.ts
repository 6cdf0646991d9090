// The guided mode's port to the person at the terminal: questions and answers on stderr/stdin.

/** Options of one question. */
export interface AskOptions {
  /** Returned for an empty answer; shown in brackets. */
  readonly default?: string;
  /** A message to show (and ask again) when the answer is unusable; undefined when it is fine. */
  readonly validate?: (answer: string) => string | undefined;
}

/** Asks questions on a terminal; the CLI builds it only when stdin and stderr are terminals and --yes is absent. */
export interface Prompter {
  /** Asks for one line; the answer is trimmed. */
  ask(question: string, options?: AskOptions): Promise<string>;
  /** Asks a yes/no question. */
  confirm(question: string, defaultYes: boolean): Promise<boolean>;
}

/** One entry of a numbered choice. */
export interface Choice<T> {
  readonly label: string;
  readonly value: T;
}

/** Asks for one of a numbered list (1-based); the default is the entry at `defaultIndex`. */
export async function choose<T>(prompter: Prompter, question: string, choices: readonly Choice<T>[], defaultIndex: number, say: (text: string) => void): Promise<T> {
  say(question);
  choices.forEach((choice, index) => say(`  ${index + 1}) ${choice.label}`));
  const answer = await prompter.ask('Choose a number', {
    default: String(defaultIndex + 1),
    validate: (text) => {
      const number = Number(text);
      return Number.isInteger(number) && number >= 1 && number <= choices.length ? undefined : `enter a number from 1 to ${choices.length}`;
    },
  });
  return choices[Number(answer) - 1]!.value;
}
