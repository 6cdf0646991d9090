// Drives a program in a real pseudo-terminal through tmux (its own server socket, so no other tmux is touched).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A tmux session running one command. */
export interface TmuxSession {
  /** The visible text of the pane (and its scrollback). */
  capture(): Promise<string>;
  /** Waits until the pane shows `text` (a string or pattern) after `from` characters of output; returns the capture. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  /** Types `keys` literally, then Enter. */
  answer(keys: string): Promise<void>;
  /** Presses one key by its tmux name, for example `C-c`. */
  press(key: string): Promise<void>;
  kill(): Promise<void>;
}

/** True when tmux can be run here. */
export async function tmuxAvailable(): Promise<boolean> {
  try {
    await run('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
}

/** Starts `shellCommand` (run by sh) in a detached 200x80 session on a private tmux server. */
export async function startTmux(shellCommand: string): Promise<TmuxSession> {
  const socket = `kube-login-test-${randomBytes(4).toString('hex')}`;
  const tmux = (args: string[]): Promise<{ stdout: string }> => run('tmux', ['-L', socket, ...args], { env: { ...process.env, TMUX: '' } });
  await tmux(['new-session', '-d', '-s', 'setup', '-x', '200', '-y', '80', shellCommand]);
  await tmux(['set-option', '-t', 'setup', 'history-limit', '5000']);
  const capture = async (): Promise<string> => (await tmux(['capture-pane', '-p', '-J', '-S', '-5000', '-t', 'setup'])).stdout;
  return {
    capture,
    async waitFor(text, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let screen = '';
      while (Date.now() < deadline) {
        screen = await capture();
        if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`the terminal never showed ${String(text)}; it shows:\n${screen}`);
    },
    async answer(keys) {
      if (keys !== '') await tmux(['send-keys', '-t', 'setup', '-l', keys]);
      await tmux(['send-keys', '-t', 'setup', 'Enter']);
    },
    async press(key) {
      await tmux(['send-keys', '-t', 'setup', key]);
    },
    async kill() {
      await tmux(['kill-server']).catch(() => undefined);
    },
  };
}
