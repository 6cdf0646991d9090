// POSIX shell quoting for the commands kube-login prints (kubectl, aws, minikube).

const SAFE = /^[A-Za-z0-9_\-.,:/=@%+]+$/;

/** The word unchanged when the shell would read it literally, otherwise single-quoted. */
export function shellQuote(word: string): string {
  if (SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command on several lines joined with ` \`, the first line holding `head`. */
export function multilineCommand(head: readonly string[], args: readonly string[]): string {
  const first = head.map(shellQuote).join(' ');
  if (args.length === 0) return `${first}\n`;
  return [first, ...args.map((arg) => `  ${arg}`)].join(' \\\n') + '\n';
}
