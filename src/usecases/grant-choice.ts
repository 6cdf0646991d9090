// Which grant `--grant-type auto` runs, and whether a browser can be opened here: a pure decision
// over the facts of the machine (platform, environment, flags, the provider's discovery document).
import type { GrantType } from '../config/get-token-input.js';

/** A grant that actually runs (auto resolved). */
export type ConcreteGrant = Exclude<GrantType, 'auto'>;

/** What the decision looks at; the composition root reads them from the process, tests make them up. */
export interface MachineFacts {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** --browser-command was given. */
  browserCommand: boolean;
  /** --skip-open-browser was given. */
  skipOpenBrowser: boolean;
}

/** Whether kube-login can show a page to the person, and the short reason, for the one-line notice. */
export interface BrowserAvailability {
  available: boolean;
  reason: string;
}

/** The grant to run, whether to open a browser for it, and the line that says why (auto only). */
export interface GrantChoice {
  grant: ConcreteGrant;
  /** Open the login page with the browser port (authcode, and the device flow's verification page). */
  openBrowser: boolean;
  /** One line for stderr when auto decided; undefined for an explicit --grant-type. */
  notice?: string;
}

const nonEmpty = (value: string | undefined): boolean => value !== undefined && value !== '';

/** The variable that says we are in an SSH session, if any (OpenSSH sets SSH_CONNECTION and SSH_CLIENT, and SSH_TTY with a terminal). */
export function sshVariable(env: MachineFacts['env']): string | undefined {
  return ['SSH_CONNECTION', 'SSH_TTY', 'SSH_CLIENT'].find((name) => nonEmpty(env[name]));
}

/**
 * Whether a browser can be opened for the person at this machine. A --browser-command always counts.
 * Over SSH a browser would open on the remote machine (or nowhere), not in front of the person. On
 * Linux and the BSDs a browser needs a display (X11 DISPLAY or WAYLAND_DISPLAY), except under WSL,
 * where `open` starts the Windows browser. macOS and Windows always have one.
 */
export function browserAvailability(facts: MachineFacts): BrowserAvailability {
  if (facts.browserCommand) return { available: true, reason: '--browser-command is set' };
  if (facts.skipOpenBrowser) return { available: false, reason: '--skip-open-browser is set' };
  const ssh = sshVariable(facts.env);
  if (ssh) return { available: false, reason: `this is an SSH session (${ssh} is set)` };
  if (facts.platform === 'darwin') return { available: true, reason: 'macOS can open a browser' };
  if (facts.platform === 'win32') return { available: true, reason: 'Windows can open a browser' };
  const display = ['WAYLAND_DISPLAY', 'DISPLAY'].find((name) => nonEmpty(facts.env[name]));
  if (display) return { available: true, reason: `there is a display (${display} is set)` };
  if (nonEmpty(facts.env['WSL_DISTRO_NAME']) || nonEmpty(facts.env['WSL_INTEROP'])) {
    return { available: true, reason: 'WSL can open the Windows browser' };
  }
  return { available: false, reason: 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
}

/** True when the provider's discovery document advertises the device authorization grant (RFC 8628 section 4). */
export function supportsDeviceGrant(metadata: Readonly<Record<string, unknown>>): boolean {
  const endpoint = metadata['device_authorization_endpoint'];
  return typeof endpoint === 'string' && endpoint !== '';
}

/**
 * Resolves --grant-type. An explicit grant runs as asked (the browser opens when one is available).
 * `auto` picks the browser login when a browser can be opened, else the device code grant when
 * the provider supports it, else the browser login with the URL printed for the person to open
 * wherever they can, and says which and why in one line.
 */
export function chooseGrant(requested: GrantType, facts: MachineFacts, providerMetadata: Readonly<Record<string, unknown>>): GrantChoice {
  const browser = browserAvailability(facts);
  if (requested !== 'auto') {
    // An explicit authcode keeps trying the system browser: `open` may know a way we cannot detect.
    const openBrowser = requested === 'authcode' ? !facts.skipOpenBrowser : browser.available;
    return { grant: requested, openBrowser };
  }
  if (browser.available) {
    return { grant: 'authcode', openBrowser: true, notice: `kube-login: logging in with the browser (authorization code grant): ${browser.reason}` };
  }
  if (facts.skipOpenBrowser) {
    return { grant: 'authcode', openBrowser: false, notice: `kube-login: logging in with the browser (authorization code grant), printing the URL only: ${browser.reason}` };
  }
  if (supportsDeviceGrant(providerMetadata)) {
    return {
      grant: 'device-code',
      openBrowser: false,
      notice: `kube-login: logging in with a code on another device (device code grant): ${browser.reason} and the provider supports it; --grant-type authcode overrides`,
    };
  }
  return {
    grant: 'authcode',
    openBrowser: false,
    notice:
      `kube-login: logging in with the browser (authorization code grant), printing the URL only: ${browser.reason} and the provider has no ` +
      'device_authorization_endpoint; the browser must reach this machine\'s loopback port (ssh -L), or use --grant-type authcode-keyboard',
  };
}
