// When a grant may ask a person something: kubectl's spec.interactive first, then the streams.
import { describe, expect, it } from 'vitest';
import { KubeLoginError } from '../../../src/errors.js';
import { type Terminal, requireTerminal, whyNoTerminal } from '../../../src/platform/terminal.js';

const tty = { stdinIsTTY: true, stderrIsTTY: true, interactive: undefined };

describe('whyNoTerminal', () => {
  it('allows a prompt when stdin and stderr are terminals', () => {
    expect(whyNoTerminal(tty, () => false)).toBeUndefined();
    expect(whyNoTerminal({ ...tty, interactive: true }, () => false)).toBeUndefined();
  });

  it('respects spec.interactive false even on a terminal (interactiveMode Never)', () => {
    expect(whyNoTerminal({ ...tty, interactive: false }, () => true)).toBe('kubectl ran kube-login without a terminal (KUBERNETES_EXEC_INFO has spec.interactive false)');
  });

  it('needs stderr to be a terminal: nobody would see the question', () => {
    expect(whyNoTerminal({ ...tty, stderrIsTTY: false }, () => true)).toBe('standard error is not a terminal, so nobody would see a question');
  });

  it('reads from /dev/tty when stdin is not a terminal but the process has a controlling terminal', () => {
    expect(whyNoTerminal({ ...tty, stdinIsTTY: false }, () => true)).toBeUndefined();
    expect(whyNoTerminal({ ...tty, stdinIsTTY: false }, () => false)).toBe('standard input is not a terminal and there is no controlling terminal (/dev/tty)');
  });

  it('does not probe /dev/tty when stdin is a terminal', () => {
    let probed = false;
    whyNoTerminal(tty, () => (probed = true));
    expect(probed).toBe(false);
  });
});

describe('requireTerminal', () => {
  const terminal = (reason: string | undefined): Terminal => ({ unavailableReason: () => reason, readLine: () => Promise.reject(new Error('not here')) });

  it('passes when a terminal is available', () => {
    expect(() => requireTerminal(terminal(undefined), 'log in', 'ask', 'kube-login get-token')).not.toThrow();
  });

  it('refuses with login-required, the reason and the command to run in a terminal', () => {
    const error = (() => {
      try {
        requireTerminal(terminal('standard error is not a terminal'), 'log in with the password grant', 'ask for the password', 'kube-login get-token --x=1');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KubeLoginError);
    expect(error).toMatchObject({
      code: 'login-required',
      message: 'could not log in with the password grant: it needs a terminal to ask for the password, and standard error is not a terminal',
      fix: 'log in once from a terminal (later calls use the cached token): kube-login get-token --x=1',
    });
  });
});
