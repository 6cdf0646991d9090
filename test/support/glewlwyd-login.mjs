#!/usr/bin/env node
// A browser stand-in for kube-login's --browser-command against glewlwyd: logs in over glewlwyd's
// login API as its login page does (POST /api/auth/ with the password, PUT /api/auth/grant/<client>
// for consent), then follows the authorization URL to the loopback callback.
//
// Usage: glewlwyd-login.mjs [...ignored] <authorization-url | device verification_uri(_complete)>
// Environment (the contract of login-driver.mjs):
//   LOGIN_DRIVER_USER / LOGIN_DRIVER_PASSWORD  credentials
//   LOGIN_DRIVER_CA_FILE   PEM CA of the provider (added to the system roots)
//   LOGIN_DRIVER_LOG       `launch driver=glewlwyd pid=N`, then `result=ok|error`
//   LOGIN_DRIVER_CLIENT_ID / LOGIN_DRIVER_SCOPE  consent to grant in the device flow (its URL names neither)
//   LOGIN_DRIVER_TIMEOUT_MS  give up after this long (default 30000)
// It never prints tokens, codes or query strings: only paths and HTTP statuses.
import { appendFileSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

const env = process.env;

function log(line) {
  if (env.LOGIN_DRIVER_LOG) appendFileSync(env.LOGIN_DRIVER_LOG, `${line}\n`);
}

function say(message) {
  process.stdout.write(`glewlwyd-login: ${message}\n`);
}

function fail(message) {
  say(`failed: ${String(message).replace(/\?[^\s"'<>]*/g, '?...')}`);
  log('result=error');
  process.exit(1);
}

async function main() {
  log(`launch driver=glewlwyd pid=${process.pid}`);
  const timeoutMs = Number(env.LOGIN_DRIVER_TIMEOUT_MS ?? 30000);
  setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs).unref();
  const start = URL.parse(process.argv.at(-1) ?? '');
  if (!start || !/^https?:$/.test(start.protocol)) fail('the last argument must be an http(s) URL');
  const apiAt = start.pathname.indexOf('/api/');
  if (apiAt < 0) fail(`not a glewlwyd URL: ${start.pathname}`);
  const api = `${start.origin}${start.pathname.slice(0, apiAt)}/api`;

  let dispatcher;
  if (env.LOGIN_DRIVER_CA_FILE) {
    const { Agent } = await import('undici');
    dispatcher = new Agent({ connect: { ca: [...rootCertificates, readFileSync(env.LOGIN_DRIVER_CA_FILE, 'utf8')] } });
  }
  const cookies = new Map();
  const request = async (url, init = {}) => {
    const headers = { ...init.headers };
    if (cookies.size > 0) headers.cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, headers, redirect: 'manual', dispatcher });
    for (const cookie of response.headers.getSetCookie()) {
      const pair = cookie.split(';')[0];
      const eq = pair.indexOf('=');
      if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return response;
  };
  const json = async (method, path, body) => {
    const response = await request(`${api}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await response.arrayBuffer();
    if (response.status !== 200) fail(`${method} /api${path.replace(/\/grant\/.*/, '/grant/…')} answered HTTP ${response.status}`);
  };

  await json('POST', '/auth/', { username: env.LOGIN_DRIVER_USER ?? 'dev-user', password: env.LOGIN_DRIVER_PASSWORD ?? 'dev-password' });
  const device = !start.searchParams.has('redirect_uri');
  const clientId = device ? env.LOGIN_DRIVER_CLIENT_ID : start.searchParams.get('client_id');
  const scope = device ? env.LOGIN_DRIVER_SCOPE : start.searchParams.get('scope');
  if (clientId && scope) await json('PUT', `/auth/grant/${encodeURIComponent(clientId)}`, { scope });
  say(`logged in${clientId && scope ? ' and granted the scopes' : ''}`);

  const redirectUri = device ? undefined : new URL(start.searchParams.get('redirect_uri'));
  let url = start;
  for (let hop = 0; hop < 10; hop++) {
    const response = await request(url);
    const body = await response.text();
    const location = response.headers.get('location');
    if (device && response.status === 200) {
      say(`device page ${url.pathname} answered HTTP 200`);
      log('result=ok');
      return;
    }
    if (response.status < 300 || response.status >= 400 || !location) fail(`${url.pathname} answered HTTP ${response.status}: ${body.slice(0, 200)}`);
    url = new URL(location, url);
    if (device && url.searchParams.get('prompt') === 'deviceComplete') {
      // glewlwyd's login page then says the device is connected.
      say('device code approved');
      log('result=ok');
      return;
    }
    if (redirectUri && url.origin === redirectUri.origin && url.pathname === redirectUri.pathname) {
      const callback = await request(url);
      await callback.arrayBuffer();
      if (callback.status < 200 || callback.status >= 300) fail(`callback answered HTTP ${callback.status}`);
      say(`callback answered HTTP ${callback.status}`);
      log('result=ok');
      return;
    }
    if (/login\.html$/.test(url.pathname)) {
      // What the login page does once the session holds the user and the consent: continue the
      // authorization at callback_url with `g_continue`.
      const callbackUrl = url.searchParams.get('callback_url');
      if (!callbackUrl || url.searchParams.get('prompt')) fail(`glewlwyd's login page asks for ${url.searchParams.get('prompt') ?? 'a login'}: the session or the consent is missing`);
      url = new URL(`${callbackUrl}${callbackUrl.includes('?') ? '&' : '?'}g_continue`);
    }
  }
  fail('no callback after 10 redirects');
}

main().then(
  () => process.exit(0),
  (error) => fail(error instanceof Error ? `${error.message}${error.cause ? `: ${error.cause.code ?? error.cause.message}` : ''}` : String(error)),
);
