// Opening the login URL: --browser-command, the system browser (the only importer of `open`), or nothing.
import { spawn } from 'node:child_process';
import type { Logger } from '../platform/logger.js';
import { terminalText } from '../platform/terminal-text.js';

/** How the URL is opened. */
export interface BrowserSettings {
  browserCommand?: string;
  skipOpenBrowser: boolean;
}

/** The browser port: opens a URL and never throws (the URL is always printed as well). */
export type OpenBrowser = (url: string) => Promise<void>;

/** Splits a command line into words, honouring single and double quotes (no other shell syntax). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const match of command.matchAll(pattern)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? match[3] ?? ''));
  }
  return words;
}

function runBrowserCommand(command: string, url: string, logger: Logger): Promise<void> {
  const [file, ...args] = splitCommand(command);
  if (!file) return Promise.resolve();
  return new Promise((resolve) => {
    // stdout belongs to the ExecCredential: the command's output goes to stderr. Its stderr is piped
    // too, never our terminal: a child that gets the terminal can reset its mode (a Node child
    // restores the mode it found at exit), which breaks a question being asked in raw mode.
    const child = spawn(file, [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer): void => void process.stderr.write(terminalText(logger.redactor.mask(chunk.toString())));
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', (error) => {
      logger.warn(`could not run --browser-command ${JSON.stringify(file)}: ${error.message}; open the URL above yourself`);
      resolve();
    });
    child.once('spawn', () => resolve());
    child.once('exit', (code) => {
      if (code) logger.warn(`--browser-command exited with code ${code}; if no browser opened, open the URL above yourself`);
    });
    child.unref();
  });
}

/** Builds the browser port for the settings. */
export function createBrowser(settings: BrowserSettings, logger: Logger): OpenBrowser {
  if (settings.skipOpenBrowser) return async () => undefined;
  if (settings.browserCommand) {
    const command = settings.browserCommand;
    return (url) => runBrowserCommand(command, url, logger);
  }
  return async (url) => {
    try {
      const { default: open } = await import('open');
      // `open` resolves even when no browser could start (TESTBED), which is why the URL is printed too.
      await open(url);
    } catch (error) {
      logger.warn(`could not open a browser: ${error instanceof Error ? error.message : String(error)}; open the URL above yourself`);
    }
  };
}
