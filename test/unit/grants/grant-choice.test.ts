// --grant-type auto over fake machines: the browser when one can be opened, the device code when
// there is no display or we are on SSH and the provider supports it, else the browser URL printed.
import { describe, expect, it } from 'vitest';
import { type MachineFacts, browserAvailability, chooseGrant, supportsDeviceGrant } from '../../../src/usecases/grant-choice.js';

const DEVICE = { issuer: 'https://idp.example.com', device_authorization_endpoint: 'https://idp.example.com/device/auth' };
const NO_DEVICE = { issuer: 'https://idp.example.com' };

const machine = (overrides: Partial<MachineFacts> = {}): MachineFacts => ({ platform: 'linux', env: {}, browserCommand: false, skipOpenBrowser: false, ...overrides });

describe('browserAvailability', () => {
  it.each<[string, Partial<MachineFacts>, boolean, string]>([
    ['a --browser-command always counts, even over SSH with no display', { browserCommand: true, env: { SSH_CONNECTION: '1 2 3 4' } }, true, '--browser-command is set'],
    ['Linux with X11', { env: { DISPLAY: ':0' } }, true, 'there is a display (DISPLAY is set)'],
    ['Linux with Wayland', { env: { WAYLAND_DISPLAY: 'wayland-0' } }, true, 'there is a display (WAYLAND_DISPLAY is set)'],
    ['Linux without a display', { env: {} }, false, 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)'],
    ['an empty DISPLAY is no display', { env: { DISPLAY: '' } }, false, 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)'],
    ['WSL opens the Windows browser', { env: { WSL_DISTRO_NAME: 'Ubuntu' } }, true, 'WSL can open the Windows browser'],
    ['macOS', { platform: 'darwin' }, true, 'macOS can open a browser'],
    ['Windows', { platform: 'win32' }, true, 'Windows can open a browser'],
    ['SSH on macOS: the browser would open on the remote Mac', { platform: 'darwin', env: { SSH_CONNECTION: '1 2 3 4' } }, false, 'this is an SSH session (SSH_CONNECTION is set)'],
    ['SSH with X forwarding still counts as SSH', { env: { DISPLAY: 'localhost:10.0', SSH_TTY: '/dev/pts/1' } }, false, 'this is an SSH session (SSH_TTY is set)'],
    ['--skip-open-browser', { platform: 'darwin', skipOpenBrowser: true }, false, '--skip-open-browser is set'],
  ])('%s', (_name, overrides, available, reason) => {
    expect(browserAvailability(machine(overrides))).toEqual({ available, reason });
  });
});

describe('supportsDeviceGrant', () => {
  it('reads device_authorization_endpoint from discovery (RFC 8628 section 4)', () => {
    expect(supportsDeviceGrant(DEVICE)).toBe(true);
    expect(supportsDeviceGrant(NO_DEVICE)).toBe(false);
    expect(supportsDeviceGrant({ device_authorization_endpoint: '' })).toBe(false);
    expect(supportsDeviceGrant({ device_authorization_endpoint: 42 })).toBe(false);
  });
});

describe('chooseGrant auto', () => {
  it('picks the browser login on a desktop and says why', () => {
    expect(chooseGrant('auto', machine({ env: { DISPLAY: ':0' } }), DEVICE)).toEqual({
      grant: 'authcode',
      openBrowser: true,
      notice: 'kube-login: logging in with the browser (authorization code grant): there is a display (DISPLAY is set)',
    });
  });

  it('picks the browser login with a --browser-command even where nothing else could open one', () => {
    expect(chooseGrant('auto', machine({ browserCommand: true, env: { SSH_TTY: '/dev/pts/0' } }), DEVICE)).toMatchObject({ grant: 'authcode', openBrowser: true });
  });

  it('picks the device code over SSH when the provider supports it', () => {
    expect(chooseGrant('auto', machine({ env: { SSH_CONNECTION: '192.0.2.1 5000 192.0.2.2 22', DISPLAY: ':0' } }), DEVICE)).toEqual({
      grant: 'device-code',
      openBrowser: false,
      notice: 'kube-login: logging in with a code on another device (device code grant): this is an SSH session (SSH_CONNECTION is set) and the provider supports it; --grant-type authcode overrides',
    });
  });

  it('picks the device code in a container (no display)', () => {
    expect(chooseGrant('auto', machine(), DEVICE)).toMatchObject({ grant: 'device-code', openBrowser: false });
  });

  it('falls back to the browser login with the URL printed when the provider has no device grant', () => {
    const choice = chooseGrant('auto', machine({ env: { SSH_CONNECTION: '1 2 3 4' } }), NO_DEVICE);
    expect(choice).toMatchObject({ grant: 'authcode', openBrowser: false });
    expect(choice.notice).toBe(
      'kube-login: logging in with the browser (authorization code grant), printing the URL only: this is an SSH session (SSH_CONNECTION is set) and the provider has no ' +
        "device_authorization_endpoint; the browser must reach this machine's loopback port (ssh -L), or use --grant-type authcode-keyboard",
    );
    expect(choice.notice).not.toContain('\n');
  });

  it('keeps the browser login, URL only, with --skip-open-browser (the user forwards the port)', () => {
    expect(chooseGrant('auto', machine({ skipOpenBrowser: true }), DEVICE)).toMatchObject({ grant: 'authcode', openBrowser: false });
  });
});

describe('chooseGrant with an explicit --grant-type', () => {
  it('runs it as asked, without a notice', () => {
    for (const grant of ['authcode', 'authcode-keyboard', 'device-code', 'password', 'client-credentials'] as const) {
      const choice = chooseGrant(grant, machine({ env: { SSH_CONNECTION: '1 2 3 4' } }), NO_DEVICE);
      expect(choice.grant).toBe(grant);
      expect(choice.notice).toBeUndefined();
    }
  });

  it('opens the device flow\'s page only where a browser can be opened', () => {
    expect(chooseGrant('device-code', machine({ platform: 'darwin' }), DEVICE).openBrowser).toBe(true);
    expect(chooseGrant('device-code', machine({ browserCommand: true }), DEVICE).openBrowser).toBe(true);
    expect(chooseGrant('device-code', machine(), DEVICE).openBrowser).toBe(false);
  });

  it('an explicit authcode still tries the system browser unless --skip-open-browser', () => {
    expect(chooseGrant('authcode', machine(), DEVICE).openBrowser).toBe(true);
    expect(chooseGrant('authcode', machine({ skipOpenBrowser: true }), DEVICE).openBrowser).toBe(false);
  });
});
