#!/usr/bin/env node
// kube-login's --browser-command for end-to-end tests: logs in through the provider's real login
// page in headless Debian Chromium (playwright-core), with every non-loopback request blocked.
//
// Usage: chromium-login.mjs [...ignored] <authorization-url>   (the URL is the LAST argument)
// Environment (same contract as login-driver.mjs):
//   LOGIN_DRIVER_USER / LOGIN_DRIVER_PASSWORD  credentials (default demo-user / demo-password)
//   LOGIN_DRIVER_CA_FILE   PEM CA for an https provider. Chromium cannot take a CA file without a
//                          system NSS tool, so this script verifies the provider's certificate
//                          chain against the CA with Node's TLS, then pins exactly that verified
//                          server key in Chromium (--ignore-certificate-errors-spki-list). Only the
//                          host of the URL given on the command line is pinned.
//   LOGIN_DRIVER_LOG       `launch driver=chromium pid=N` at start, then `result=ok|error`
//   LOGIN_DRIVER_DELAY_MS, LOGIN_DRIVER_TIMEOUT_MS (default 60000)
//   LOGIN_DRIVER_SUCCESS_PATTERN  regular expression the callback page must match
//                          (default: success|succeeded|logged in|signed in|you can close)
//   CHROMIUM_PATH          default /usr/bin/chromium
// LOGIN_DRIVER_TAMPER is not supported here (use login-driver.mjs). Never prints tokens or codes.
import { createHash, X509Certificate } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';

const env = process.env;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SUCCESS = new RegExp(env.LOGIN_DRIVER_SUCCESS_PATTERN ?? 'success|succeeded|logged in|signed in|you can close', 'i');

let cleanup = async () => {};

function log(line) {
  if (env.LOGIN_DRIVER_LOG) appendFileSync(env.LOGIN_DRIVER_LOG, `${line}\n`);
}

function say(message) {
  process.stdout.write(`chromium-login: ${message}\n`);
}

async function fail(message) {
  // Strip any query string from the message: it could carry a code or state.
  say(`failed: ${String(message).replace(/\?[^\s"'<>]*/g, '?...')}`);
  log('result=error');
  await cleanup().catch(() => {});
  process.exit(1);
}

function isCallback(url, redirectUri) {
  if (!url.searchParams.has('code') && !url.searchParams.has('error')) return false;
  if (redirectUri) return url.origin === redirectUri.origin && url.pathname === redirectUri.pathname;
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** Connects with Node's TLS, verifying the chain against the CA, and returns the leaf's SPKI pin. */
async function verifiedServerKeyPin(url, caPem) {
  const socket = connect({
    host: url.hostname,
    port: Number(url.port || 443),
    servername: url.hostname === '127.0.0.1' ? undefined : url.hostname,
    ca: caPem,
    rejectUnauthorized: true,
  });
  await new Promise((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const leaf = new X509Certificate(socket.getPeerCertificate().raw);
  socket.destroy();
  const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/**
 * One step on glewlwyd's login page (a single-page app, test/support/glewlwyd.ts): the password form,
 * then "Grant access", then "Continue". Returns false on any other page.
 */
async function glewlwydStep(page, username, password) {
  if (!new URL(page.url()).pathname.endsWith('/login.html')) return false;
  const password_ = page.locator('input#password:visible');
  const username_ = page.locator('input#username:visible');
  const grant = page.locator('button:visible', { hasText: 'Grant access' });
  const proceed = page.locator('button:visible:enabled', { hasText: 'Continue' });
  await page.locator('input#password:visible, input#username:visible, button:visible:has-text("Grant access"), button:visible:enabled:has-text("Continue")').first().waitFor({ timeout: 15_000 });
  if (await grant.count()) {
    say('granting access on glewlwyd');
    await grant.first().click();
    await grant.first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
  } else if (await password_.count()) {
    if (await username_.count()) await username_.fill(username);
    await password_.fill(password);
    say('submitting the password on glewlwyd');
    await password_.press('Enter');
    await password_.waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
  } else if (await username_.count()) {
    await username_.fill(username);
    await username_.press('Enter');
    await username_.waitFor({ state: 'detached', timeout: 15_000 }).catch(() => {});
  } else {
    say('continuing on glewlwyd');
    await Promise.all([page.waitForEvent('load', { timeout: 15_000 }), proceed.first().click()]);
  }
  return true;
}

async function main() {
  log(`launch driver=chromium pid=${process.pid}`);
  const timeoutMs = Number(env.LOGIN_DRIVER_TIMEOUT_MS ?? 60000);
  setTimeout(() => void fail(`timed out after ${timeoutMs} ms`), timeoutMs).unref();

  const start = URL.parse(process.argv.at(-1) ?? '');
  if (!start || !/^https?:$/.test(start.protocol)) return fail('the last argument must be an http(s) URL');
  const delay = Number(env.LOGIN_DRIVER_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  const redirectUri = URL.parse(start.searchParams.get('redirect_uri') ?? '') ?? undefined;

  const args = [...CHROMIUM_ARGS];
  if (env.LOGIN_DRIVER_CA_FILE && start.protocol === 'https:') {
    const pin = await verifiedServerKeyPin(start, readFileSync(env.LOGIN_DRIVER_CA_FILE, 'utf8'));
    args.push(`--ignore-certificate-errors-spki-list=${pin}`);
  }

  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'kube-login-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args,
  });
  cleanup = async () => {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  };

  // Only loopback traffic: the dev login pages @import Google Fonts.
  let blocked = 0;
  await context.route('**/*', (route) => {
    if (LOOPBACK_HOSTS.has(new URL(route.request().url()).hostname)) return route.continue();
    blocked += 1;
    return route.abort('blockedbyclient');
  });

  const page = context.pages()[0] ?? (await context.newPage());
  let callbackStatus;
  page.on('response', (response) => {
    if (isCallback(new URL(response.url()), redirectUri)) callbackStatus = response.status();
  });

  const username = env.LOGIN_DRIVER_USER ?? 'demo-user';
  const password = env.LOGIN_DRIVER_PASSWORD ?? 'demo-password';
  const submit = async (what) => {
    say(`submitting ${what} on ${new URL(page.url()).pathname}`);
    await Promise.all([page.waitForEvent('load'), page.click('button[type="submit"]')]);
  };

  await page.goto(start.href, { waitUntil: 'load' });
  for (let step = 0; step < 12 && callbackStatus === undefined; step += 1) {
    if (await page.locator('input[name="login"]').count()) {
      await page.fill('input[name="login"]', username);
      await page.fill('input[name="password"]', password);
      await submit('login');
    } else if (await page.locator('input[name="prompt"][value="consent"]').count()) {
      await submit('consent');
    } else if (await glewlwydStep(page, username, password)) {
      // glewlwyd's login page acted; its last step navigates to the authorization endpoint.
    } else {
      return fail(`no login or consent form on ${new URL(page.url()).pathname}`);
    }
  }
  if (callbackStatus === undefined) return fail('never reached the loopback callback');
  const text = await page.locator('body').innerText();
  say(`callback answered HTTP ${callbackStatus}; ${blocked} non-loopback request(s) blocked`);
  if (callbackStatus < 200 || callbackStatus >= 300) return fail(`callback answered HTTP ${callbackStatus}`);
  if (!SUCCESS.test(text)) return fail('the callback page does not say the login succeeded');
  log('result=ok');
  await cleanup();
  process.exit(0);
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
