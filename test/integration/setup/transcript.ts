// The guided-setup transcript of docs/setup.md: taken from a real terminal run, with only what changes
// from run to run replaced (ports, temporary paths, times, the login URL's random values).
import { setupExecCommand } from '../../support/paths.js';

/** The markers around the transcript's code block in docs/setup.md. */
export const TRANSCRIPT_START = '<!-- guided transcript: written by test/integration/setup/setup-guided.test.ts -->';
export const TRANSCRIPT_END = '<!-- end of the guided transcript -->';

/** What differs between runs. */
export interface TranscriptRun {
  readonly home: string;
  readonly providerPort: number;
  /** The --listen-address port of the run, shown as 8000 (kubelogin's default). */
  readonly listenPort: number;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The terminal text with the run's own values replaced by fixed ones, and trailing blanks dropped. */
export function normalizeTranscript(screen: string, run: TranscriptRun): string {
  const text = screen
    // Run as the single executable, setup writes that file's absolute path (it is not on PATH here).
    .replace(new RegExp(`(command: )${escape(setupExecCommand())}$`, 'gm'), '$1kube-login')
    .replace(new RegExp(escape(run.home), 'g'), '/home/me')
    .replace(new RegExp(`127\\.0\\.0\\.1([:-])${run.providerPort}\\b`, 'g'), '127.0.0.1$141299')
    // The loopback redirect listens on a port that was free when the test started.
    .replace(new RegExp(`(127\\.0\\.0\\.1:|localhost:|localhost%3A)${run.listenPort}\\b`, 'g'), '$18000')
    .replace(/\b(code_challenge|state|nonce)=[^&\s]+/g, '$1=…')
    .replace(/kube-login-backup-\d{8}T\d{6}Z/g, 'kube-login-backup-20261127T102241Z')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(in \d+ min\)/g, '2026-11-27T10:29:12.000Z (in 5 min)');
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

/** The transcript as docs/setup.md holds it (inside the code block after the start marker). */
export function transcriptBlock(docs: string): string | undefined {
  const start = docs.indexOf(TRANSCRIPT_START);
  const end = docs.indexOf(TRANSCRIPT_END);
  if (start === -1 || end === -1) return undefined;
  const block = docs.slice(start + TRANSCRIPT_START.length, end).trim();
  const match = /^```\n([\s\S]*\n)```$/.exec(block);
  return match?.[1];
}
