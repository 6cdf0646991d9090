// The I/O both cluster-side commands share: reading a token file or stdin, notices on stderr, and
// writing the result to stdout or atomically to --output.
import { dirname, resolve } from 'node:path';
import { KubeLoginError, describe } from '../errors.js';
import type { Notice } from '../apiserver/notice.js';
import { trimTokenText } from '../apiserver/compact-jwt.js';
import type { Logger, TextSink } from '../platform/logger.js';

/** File and stream ports; `writeFileAtomic` replaces the file only once the whole text is written. */
export interface OutputPorts {
  readonly readText: (path: string) => Promise<string>;
  readonly readStdin: () => Promise<string>;
  readonly writeFileAtomic: (path: string, text: string) => Promise<void>;
  readonly stdout: TextSink;
}

/**
 * Reads an ID token from a file or from stdin (`-`). Never from argv: other local users can read a
 * process's command line (/proc/PID/cmdline).
 */
export async function readTokenSource(ports: OutputPorts, source: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = source === '-' ? await ports.readStdin() : await ports.readText(source);
  } catch (error) {
    throw new KubeLoginError('usage', `read the ID token from ${source === '-' ? 'stdin' : source}`, describe(error), {
      cause: error,
      fix: `pass ${flag} FILE (a file holding only the ID token) or ${flag} - to read it from stdin`,
    });
  }
  const token = trimTokenText(text);
  if (token === '') {
    throw new KubeLoginError('usage', `read the ID token from ${source === '-' ? 'stdin' : source}`, 'it is empty', {
      fix: `put the ID token (the JWT, not an ExecCredential) in the file given to ${flag}`,
    });
  }
  return token;
}

/** Notes as `kube-login: note:` lines, warnings through the logger, each followed by its fix. */
export function printNotices(logger: Logger, notices: readonly Notice[]): void {
  for (const notice of notices) {
    const text = notice.fix === undefined ? notice.text : `${notice.text}\n  fix: ${notice.fix}`;
    if (notice.level === 'warning') logger.warn(text);
    else logger.info(`kube-login: note: ${text}`);
  }
}

/** stdout, or the file at `output` (temp file + rename: never a partial file). */
export async function writeResult(ports: OutputPorts, output: string | undefined, content: string): Promise<void> {
  if (output === undefined || output === '-') {
    ports.stdout.write(content);
    return;
  }
  try {
    await ports.writeFileAtomic(output, content);
  } catch (error) {
    throw new KubeLoginError('usage', `write ${output}`, writeFailure(error, output), { cause: error, fix: 'pass --output with a path in a folder that exists and that you can write to' });
  }
}

// The write goes through a temporary file beside the output: name the folder, never that file.
function writeFailure(error: unknown, output: string): string {
  const folder = dirname(resolve(output));
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return `the folder ${folder} does not exist`;
  if (code === 'ENOTDIR') return `${folder} is not a folder`;
  if (code === 'EACCES' || code === 'EPERM') return `the folder ${folder} is not writable`;
  if (code === 'EROFS') return `the folder ${folder} is on a read-only file system`;
  if (code === 'EISDIR') return `${output} is a folder`;
  return `${describe(error).replace(/, (open|rename) '[^']*'$/, '')} (in the folder ${folder})`;
}
