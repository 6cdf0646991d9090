// Real file and stream ports for the commands that print files (apiserver-config, rbac).
import { readFile } from 'node:fs/promises';
import type { CliContext } from '../cli/context.js';
import { atomicWriteFile } from '../platform/atomic-write.js';
import type { OutputPorts } from '../usecases/apiserver-output.js';

/** Reads all of stdin as UTF-8. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Files on disk, stdin, and ctx.stdout; outputs are world-readable configuration, not secrets (0644). */
export function outputPorts(ctx: CliContext): OutputPorts {
  return {
    readText: (path) => readFile(path, 'utf8'),
    readStdin,
    writeFileAtomic: (path, text) => atomicWriteFile(path, text, 0o644),
    stdout: ctx.stdout,
  };
}
