// The grant use cases over a fake provider, terminal and browser: what each prints, asks and refuses.
import { describe, expect, it, vi } from 'vitest';
import { type GetTokenInput, toGetTokenInput } from '../../../src/config/get-token-input.js';
import { loginCommandOf } from '../../../src/compose/get-token.js';
import { KubeLoginError } from '../../../src/errors.js';
import type { DeviceAuthorization, ProviderConnection, TokenResult } from '../../../src/oidc/provider-client.js';
import type { ReadLineOptions, Terminal } from '../../../src/platform/terminal.js';
import { createLogin } from '../../../src/usecases/login.js';
import { loginWithClientCredentials } from '../../../src/usecases/login-client-credentials.js';
import { loginWithDeviceCode, untilAborted } from '../../../src/usecases/login-device-code.js';
import { keyboardRedirectUri, loginWithKeyboard, parsePastedAnswer } from '../../../src/usecases/login-keyboard.js';
import { loginWithPassword } from '../../../src/usecases/login-password.js';
import { arrayLogger, unsignedJwt } from '../spine/helpers.js';

const ISSUER = 'https://idp.example.com';

function makeInput(strings: Record<string, string> = {}, booleans: Record<string, boolean> = {}): GetTokenInput {
  return toGetTokenInput({ strings: { 'oidc-issuer-url': ISSUER, 'oidc-client-id': 'kubernetes', ...strings }, lists: {}, booleans }, {}, '/home/alice');
}

const claims = { iss: ISSUER, sub: 'alice', aud: 'kubernetes', iat: 1, exp: 4_000_000_000, email: 'alice@example.com' };
const tokens: TokenResult = { idToken: unsignedJwt(claims), claims, accessToken: 'access-token-0123456789', expiresIn: 300 };

const authorization: DeviceAuthorization = {
  userCode: 'WDJB-MJHT',
  verificationUri: `${ISSUER}/device`,
  verificationUriComplete: `${ISSUER}/device?user_code=WDJB-MJHT`,
  expiresIn: 600,
  handle: {},
};

/** A provider whose every method fails unless the test gives it. */
function fakeProvider(methods: Partial<ProviderConnection> = {}, metadata: Record<string, unknown> = {}): ProviderConnection {
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected ${name}`));
  return {
    issuer: ISSUER,
    metadata: { issuer: ISSUER, ...metadata },
    authorizationUrl: (redirectUri, _scopes, checks) => new URL(`${ISSUER}/auth?redirect_uri=${encodeURIComponent(redirectUri)}&state=${checks.state}`),
    exchangeCode: unexpected('exchangeCode'),
    refresh: unexpected('refresh'),
    deviceAuthorization: unexpected('deviceAuthorization'),
    pollDeviceGrant: unexpected('pollDeviceGrant'),
    passwordGrant: unexpected('passwordGrant'),
    clientCredentialsGrant: unexpected('clientCredentialsGrant'),
    revoke: unexpected('revoke'),
    endSessionUrl: () => undefined,
    ...methods,
  };
}

/** A terminal that answers from a list, recording the questions; or one that is unavailable. */
function fakeTerminal(answers: string[] | { unavailable: string }): Terminal & { questions: { question: string; options: ReadLineOptions }[] } {
  const questions: { question: string; options: ReadLineOptions }[] = [];
  return {
    questions,
    unavailableReason: () => (Array.isArray(answers) ? undefined : answers.unavailable),
    readLine: async (question, options) => {
      questions.push({ question, options });
      if (!Array.isArray(answers) || answers.length === 0) throw new Error('no more answers');
      return answers.shift() as string;
    },
  };
}

async function caught(promise: Promise<unknown>): Promise<KubeLoginError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubeLoginError);
  return error as KubeLoginError;
}

const oauthError = (error: string): KubeLoginError => new KubeLoginError('provider-rejected', 'finish the device code login', `the provider answered ${error} (HTTP 400)`, { oauthError: error });

describe('device code', () => {
  it('prints the code, the URI and the complete URI, opens the complete URI, and returns the tokens', async () => {
    const log = arrayLogger();
    const openBrowser = vi.fn(async () => undefined);
    const provider = fakeProvider({ deviceAuthorization: async () => authorization, pollDeviceGrant: async () => tokens });
    await expect(loginWithDeviceCode(provider, makeInput(), { logger: log.logger, openBrowser })).resolves.toBe(tokens);
    expect(log.lines()).toEqual([
      `kube-login: to log in to ${ISSUER}, open ${ISSUER}/device on any device and enter the code WDJB-MJHT`,
      `kube-login: or open ${ISSUER}/device?user_code=WDJB-MJHT, which fills in the code`,
      'kube-login: waiting up to 3 minutes for the login (Ctrl-C to cancel)',
      'kube-login: logged in as alice@example.com',
    ]);
    expect(openBrowser).toHaveBeenCalledWith(`${ISSUER}/device?user_code=WDJB-MJHT`);
  });

  it('opens the plain verification URI when there is no complete one', async () => {
    const openBrowser = vi.fn(async () => undefined);
    const { verificationUriComplete: _omitted, ...plain } = authorization;
    const provider = fakeProvider({ deviceAuthorization: async () => plain, pollDeviceGrant: async () => tokens });
    await loginWithDeviceCode(provider, makeInput(), { logger: arrayLogger().logger, openBrowser });
    expect(openBrowser).toHaveBeenCalledWith(`${ISSUER}/device`);
  });

  it.each([
    ['access_denied', 'login-denied', 'the request was denied at the provider (access_denied)'],
    ['expired_token', 'login-timeout', 'the code expired before the login was approved (expired_token)'],
  ])('stops on %s with its own code and one clear line', async (oauth, code, reason) => {
    const provider = fakeProvider({ deviceAuthorization: async () => authorization, pollDeviceGrant: () => Promise.reject(oauthError(oauth)) });
    const error = await caught(loginWithDeviceCode(provider, makeInput(), { logger: arrayLogger().logger, openBrowser: async () => undefined }));
    expect(error.code).toBe(code);
    expect(error.message).toBe(`could not log in with the device code: ${reason}`);
    expect(error.fix).toMatch(/^run the command again/);
  });

  it('passes other errors through unchanged', async () => {
    const other = new KubeLoginError('provider-unreachable', 'x', 'y');
    const provider = fakeProvider({ deviceAuthorization: async () => authorization, pollDeviceGrant: () => Promise.reject(other) });
    await expect(loginWithDeviceCode(provider, makeInput(), { logger: arrayLogger().logger, openBrowser: async () => undefined })).rejects.toBe(other);
  });

  it('untilAborted answers the abort at once, without waiting for the poll', async () => {
    const controller = new AbortController();
    const never = new Promise<never>(() => undefined);
    const reason = new KubeLoginError('login-cancelled', 'log in', 'interrupted by SIGINT');
    setTimeout(() => controller.abort(reason), 10);
    await expect(untilAborted(never, controller.signal)).rejects.toBe(reason);
  });
});

describe('authcode-keyboard', () => {
  const checks = { state: 'state-0123456789' };
  const redirect = 'http://localhost:8000/';

  it('redirects to the loopback URI kubelogin registers, with nothing listening', () => {
    expect(keyboardRedirectUri(makeInput())).toBe('http://localhost:8000/');
    expect(keyboardRedirectUri(makeInput({ 'listen-address': '127.0.0.1:0' }))).toBe('http://localhost:8000/');
    expect(keyboardRedirectUri({ redirectHostname: '127.0.0.1', listenAddresses: [{ host: '127.0.0.1', port: 18000 }] })).toBe('http://127.0.0.1:18000/');
    expect(keyboardRedirectUri({ redirectHostname: '::1', listenAddresses: [] })).toBe('http://[::1]:8000/');
  });

  it('takes the whole redirected URL when its state matches', () => {
    const pasted = `${redirect}?code=abc&state=${checks.state}&iss=${encodeURIComponent(ISSUER)}`;
    expect(parsePastedAnswer(`  ${pasted}  `, checks, redirect, fakeProvider())).toEqual({ callbackUrl: new URL(pasted) });
  });

  it('refuses a URL of another login, a URL without a code, and noise', () => {
    expect(parsePastedAnswer(`${redirect}?code=abc&state=other`, checks, redirect, fakeProvider())).toEqual({ problem: expect.stringContaining('belongs to another login') });
    expect(parsePastedAnswer(`${ISSUER}/auth?client_id=x`, checks, redirect, fakeProvider())).toEqual({ problem: expect.stringContaining('has no code') });
    expect(parsePastedAnswer('not a code!', checks, redirect, fakeProvider())).toEqual({ problem: 'that is neither a URL nor a code' });
    expect(parsePastedAnswer('   ', checks, redirect, fakeProvider())).toEqual({ problem: 'nothing was pasted' });
  });

  it('ends the login on an error response in the URL', () => {
    expect(() => parsePastedAnswer(`${redirect}?error=access_denied&error_description=no&state=${checks.state}`, checks, redirect, fakeProvider())).toThrow(
      'could not log in with the authcode-keyboard grant: the provider returned access_denied: no',
    );
  });

  it('builds the callback for a bare code with our state, and the issuer when the provider sends iss (RFC 9207)', () => {
    const plain = parsePastedAnswer('code-0123', checks, redirect, fakeProvider());
    expect('callbackUrl' in plain && plain.callbackUrl.href).toBe(`${redirect}?code=code-0123&state=${checks.state}`);
    const withIss = parsePastedAnswer('code-0123', checks, redirect, fakeProvider({}, { authorization_response_iss_parameter_supported: true }));
    expect('callbackUrl' in withIss && withIss.callbackUrl.searchParams.get('iss')).toBe(ISSUER);
  });

  it('is refused without a terminal before anything is asked of the provider', async () => {
    const provider = fakeProvider({ authorizationUrl: () => { throw new Error('no URL without a terminal'); } });
    const error = await caught(loginWithKeyboard(provider, makeInput(), { logger: arrayLogger().logger, terminal: fakeTerminal({ unavailable: 'no tty here' }), loginCommand: 'kube-login get-token …' }));
    expect(error.code).toBe('login-required');
    expect(error.message).toBe('could not log in with the authcode-keyboard grant: it needs a terminal to read the code you paste, and no tty here');
  });

  it('reads with the echo off, explains an unusable answer, and exchanges a good one', async () => {
    const log = arrayLogger();
    let state = '';
    const exchangeCode = vi.fn(async () => tokens);
    const provider = fakeProvider({
      authorizationUrl: (redirectUri, _scopes, c) => {
        state = c.state;
        return new URL(`${ISSUER}/auth?redirect_uri=${encodeURIComponent(redirectUri)}`);
      },
      exchangeCode,
    });
    const terminal = fakeTerminal(['???', 'the-code-0123456789']);
    await expect(loginWithKeyboard(provider, makeInput(), { logger: log.logger, terminal, loginCommand: '' })).resolves.toBe(tokens);
    expect(terminal.questions.map((q) => q.options.secret)).toEqual([true, true]);
    expect(log.text()).toContain('kube-login: that is neither a URL nor a code; try again');
    const [callbackUrl, , redirectUri] = exchangeCode.mock.calls[0] as unknown as [URL, unknown, string];
    expect(redirectUri).toBe('http://localhost:8000/');
    expect(callbackUrl.searchParams.get('state')).toBe(state);
    // The code is a secret: registered for masking as soon as it is read.
    expect(log.logger.redactor.mask('x the-code-0123456789 y')).toBe('x [redacted] y');
  });
});

describe('password', () => {
  it('uses --password without asking', async () => {
    const passwordGrant = vi.fn(async () => tokens);
    const terminal = fakeTerminal([]);
    await loginWithPassword(fakeProvider({ passwordGrant }), makeInput({ username: 'alice', password: 'hunter2-hunter2' }), { logger: arrayLogger().logger, terminal, loginCommand: '' });
    expect(passwordGrant).toHaveBeenCalledWith('alice', 'hunter2-hunter2', []);
    expect(terminal.questions).toEqual([]);
  });

  it('asks with the echo off and registers the password with the redactor', async () => {
    const log = arrayLogger();
    const terminal = fakeTerminal(['typed-password-0123']);
    await loginWithPassword(fakeProvider({ passwordGrant: async () => tokens }), makeInput({ username: 'alice' }), { logger: log.logger, terminal, loginCommand: '' });
    expect(terminal.questions).toEqual([{ question: `Password for alice at ${ISSUER}: `, options: expect.objectContaining({ secret: true }) }]);
    expect(log.logger.redactor.mask('typed-password-0123')).toBe('[redacted]');
  });

  it('is refused when it must ask and there is no terminal; needs --username', async () => {
    const refused = await caught(loginWithPassword(fakeProvider(), makeInput({ username: 'alice' }), { logger: arrayLogger().logger, terminal: fakeTerminal({ unavailable: 'no tty' }), loginCommand: 'cmd' }));
    expect(refused.code).toBe('login-required');
    expect(refused.fix).toBe('log in once from a terminal (later calls use the cached token): cmd');
    const usage = await caught(loginWithPassword(fakeProvider(), makeInput({ password: 'x' }), { logger: arrayLogger().logger, terminal: fakeTerminal([]), loginCommand: '' }));
    expect(usage.code).toBe('usage');
  });

  it('turns invalid_grant into "refused the username or password"', async () => {
    const provider = fakeProvider({ passwordGrant: () => Promise.reject(new KubeLoginError('provider-rejected', 'a', 'b', { oauthError: 'invalid_grant' })) });
    const error = await caught(loginWithPassword(provider, makeInput({ username: 'alice', password: 'wrong-password' }), { logger: arrayLogger().logger, terminal: fakeTerminal([]), loginCommand: '' }));
    expect(error).toMatchObject({ code: 'login-denied', message: 'could not log in with the password grant: the provider refused the username or password for alice' });
  });
});

describe('client credentials', () => {
  const ccInput = (booleans: Record<string, boolean> = {}) => makeInput({ 'oidc-client-secret': 'secret-0123456789', 'grant-type': 'client-credentials' }, booleans);

  it('returns an access-token-only response with --oidc-use-access-token', async () => {
    const result = { accessToken: 'at-0123456789', expiresIn: 300 };
    await expect(loginWithClientCredentials(fakeProvider({ clientCredentialsGrant: async () => result }), ccInput({ 'oidc-use-access-token': true }), { logger: arrayLogger().logger })).resolves.toBe(result);
  });

  it('asks for --oidc-use-access-token when no ID token came back', async () => {
    const error = await caught(loginWithClientCredentials(fakeProvider({ clientCredentialsGrant: async () => ({ accessToken: 'at-0123456789' }) }), ccInput(), { logger: arrayLogger().logger }));
    expect(error.code).toBe('usage');
    expect(error.fix).toMatch(/^add --oidc-use-access-token/);
  });

  it('emits the ID token when the provider does send one', async () => {
    await expect(loginWithClientCredentials(fakeProvider({ clientCredentialsGrant: async () => tokens }), ccInput(), { logger: arrayLogger().logger })).resolves.toBe(tokens);
  });

  it('fails when the login port is built, before any request, without a client secret', () => {
    expect(() => createLogin(makeInput({ 'grant-type': 'client-credentials' }), { logger: arrayLogger().logger, openBrowser: async () => undefined, terminal: fakeTerminal([]), machine: { platform: 'linux', env: {}, browserCommand: false, skipOpenBrowser: false }, loginCommand: '' })).toThrow(
      /--oidc-client-secret is missing/,
    );
  });
});

describe('createLogin with auto', () => {
  it('says which grant it picked and runs it, without opening a browser where none can open', async () => {
    const log = arrayLogger();
    const openBrowser = vi.fn(async () => undefined);
    const login = createLogin(makeInput(), { logger: log.logger, openBrowser, terminal: fakeTerminal([]), machine: { platform: 'linux', env: {}, browserCommand: false, skipOpenBrowser: false }, loginCommand: '' });
    const provider = fakeProvider({ deviceAuthorization: async () => authorization, pollDeviceGrant: async () => tokens }, { device_authorization_endpoint: `${ISSUER}/device/auth` });
    await expect(login(provider)).resolves.toBe(tokens);
    expect(log.lines()[0]).toBe(
      'kube-login: logging in with a code on another device (device code grant): there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set) and the provider supports it; --grant-type authcode overrides',
    );
    expect(openBrowser).not.toHaveBeenCalled();
  });
});

describe('loginCommandOf', () => {
  it('drops --no-login and --password (asked for instead), and quotes for a POSIX shell', () => {
    expect(loginCommandOf(['get-token', '--oidc-issuer-url=https://idp', '--no-login', '--password', 'p w', '--password=x', '--browser-command=open -a Safari'])).toBe(
      "kube-login get-token --oidc-issuer-url=https://idp '--browser-command=open -a Safari'",
    );
  });

  it('shows a placeholder for the client secret, whatever its length or quoting (the redactor masks only 8+ characters)', () => {
    for (const secret of ["it's-a-secret-with-a-quote", 's3cr3', 'a b"c']) {
      for (const argv of [
        ['get-token', '--oidc-client-id=k', `--oidc-client-secret=${secret}`, '--no-login'],
        ['get-token', '--oidc-client-id=k', '--oidc-client-secret', secret, '--no-login'],
      ]) {
        const command = loginCommandOf(argv);
        expect(command).toBe("kube-login get-token --oidc-client-id=k '--oidc-client-secret=<secret>'");
        expect(command).not.toContain(secret);
        expect(command).not.toContain(secret.replace(/'/g, `'\\''`));
      }
    }
  });
});
