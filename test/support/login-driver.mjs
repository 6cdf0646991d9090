#!/usr/bin/env node
// A browser stand-in for kube-login's --browser-command: completes the test provider's login over HTTP.
//
// Usage: login-driver.mjs [...ignored] <authorization-url>   (the URL is the LAST argument)
//        login-driver.mjs <verification_uri_complete>        (device flow: confirm, log in, consent)
// Environment:
//   LOGIN_DRIVER_USER / LOGIN_DRIVER_PASSWORD  credentials (default demo-user / demo-password)
//   LOGIN_DRIVER_CA_FILE   PEM CA to trust for an https provider (added to the system roots)
//   LOGIN_DRIVER_LOG       file to append to: `launch driver=http pid=N` at start, then
//                          `tamper-status=N` (tamper mode) and `result=ok|error` lines
//   LOGIN_DRIVER_TAMPER=state  first hit the callback with a wrong state, then with the real one
//   LOGIN_DRIVER_DELAY_MS  wait this long before starting
//   LOGIN_DRIVER_TIMEOUT_MS  give up after this long (default 30000)
//   LOGIN_DRIVER_PROBE=FILE  first probe the loopback listener as an attacker would (a foreign Host,
//                          a wrong state, other paths) and write the answers and the authorization
//                          URL to FILE as JSON, then log in as usual
// It never prints tokens, codes or query strings: only paths and HTTP statuses.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { rootCertificates } from 'node:tls';

const env = process.env;
const MAX_STEPS = 25;

function log(line) {
  if (env.LOGIN_DRIVER_LOG) appendFileSync(env.LOGIN_DRIVER_LOG, `${line}\n`);
}

function say(message) {
  process.stdout.write(`login-driver: ${message}\n`);
}

function fail(message) {
  // Strip any query string from the message: it could carry a code or state.
  say(`failed: ${String(message).replace(/\?[^\s"'<>]*/g, '?...')}`);
  log('result=error');
  process.exit(1);
}

/** A minimal cookie jar: per origin, with path prefix matching and deletion on expiry. */
class CookieJar {
  #cookies = new Map();

  store(url, response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attrValue = rest.join('=').trim();
        const lower = key.trim().toLowerCase();
        if (lower === 'path' && attrValue.startsWith('/')) path = attrValue;
        if (lower === 'max-age' && Number(attrValue) <= 0) expired = true;
        if (lower === 'expires' && Date.parse(attrValue) <= Date.now()) expired = true;
      }
      const key = `${url.origin} ${path} ${name}`;
      if (expired || value === '') this.#cookies.delete(key);
      else this.#cookies.set(key, { origin: url.origin, path, name, value });
    }
  }

  header(url) {
    const matching = [...this.#cookies.values()].filter(
      (cookie) => cookie.origin === url.origin && url.pathname.startsWith(cookie.path),
    );
    return matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }
}

function decodeEntities(text) {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function attribute(tag, name) {
  const match = new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag);
  return match ? decodeEntities(match[1]) : undefined;
}

/** The first POST form on the page: its action and its named inputs with their values. */
function parseForm(html) {
  const formMatch = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!formMatch) return undefined;
  const formTag = formMatch[0].slice(0, formMatch[0].indexOf('>') + 1);
  const fields = new Map();
  for (const [tag] of formMatch[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = attribute(tag, 'name');
    if (name) fields.set(name, attribute(tag, 'value') ?? '');
  }
  return { action: attribute(formTag, 'action'), method: (attribute(formTag, 'method') ?? 'get').toLowerCase(), fields };
}

function redirectUriOf(url) {
  const value = url.searchParams.get('redirect_uri');
  return value ? URL.parse(value) ?? undefined : undefined;
}

function isCallback(url, redirectUri) {
  if (!url.searchParams.has('code') && !url.searchParams.has('error')) return false;
  if (redirectUri) return url.origin === redirectUri.origin && url.pathname === redirectUri.pathname;
  return url.hostname === 'localhost' || url.hostname === '127.0.0.1';
}

async function caDispatcher(file) {
  const { Agent } = await import('undici');
  return new Agent({ connect: { ca: [...rootCertificates, readFileSync(file, 'utf8')] } });
}

function makeRequester(dispatcher) {
  const jar = new CookieJar();
  return async (url, init = {}) => {
    const headers = { 'user-agent': 'kube-login-test-login-driver', ...init.headers };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    const response = await fetch(url, { ...init, headers, redirect: 'manual', dispatcher });
    jar.store(url, response);
    return response;
  };
}

/** GETs the loopback callback, following same-origin redirects, and returns the final status. */
async function visitCallback(request, url) {
  let current = url;
  for (let hop = 0; hop < 5; hop += 1) {
    const response = await request(current);
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) return response.status;
    current = new URL(location, current);
  }
  return 0;
}

async function finishAtCallback(request, callback) {
  if (env.LOGIN_DRIVER_TAMPER === 'state') {
    const forged = new URL(callback);
    forged.searchParams.set('state', `tampered-${randomBytes(8).toString('hex')}`);
    const tamperStatus = await visitCallback(request, forged);
    say(`forged-state callback answered HTTP ${tamperStatus}`);
    log(`tamper-status=${tamperStatus}`);
  }
  const status = await visitCallback(request, callback);
  if (status < 200 || status >= 300) fail(`callback ${callback.pathname} answered HTTP ${status}`);
  say(`callback answered HTTP ${status}`);
  log('result=ok');
}

/** One raw request to the listener at 127.0.0.1:port with any Host header (fetch would not send a foreign one). */
function rawRequest(port, method, path, host) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { host } }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The attacker's view of the listener: what a DNS-rebinding page or another local user could read. */
async function probeListener(start, file) {
  const redirect = redirectUriOf(start);
  if (!redirect) fail('the authorization URL has no redirect_uri to probe');
  const port = Number(redirect.port);
  const own = `${redirect.hostname}:${port}`;
  const probes = [];
  for (const [name, method, path, host] of [
    ['foreign-host-root', 'GET', '/', `attacker.example:${port}`],
    ['foreign-host-callback', 'GET', '/?code=forged&state=forged', `attacker.example:${port}`],
    ['foreign-host-login', 'GET', '/login', `attacker.example:${port}`],
    ['foreign-host-wrong-port', 'GET', '/', `localhost:${port + 1}`],
    ['wrong-state', 'GET', '/?code=forged&state=forged', own],
    ['no-state', 'GET', '/?code=forged', own],
    ['error-wrong-state', 'GET', '/?error=access_denied&state=forged', own],
    ['not-found', 'GET', '/nowhere', own],
    ['login-path', 'GET', '/login', own],
    ['post', 'POST', '/', own],
    ['root', 'GET', '/', own],
  ]) {
    probes.push({ name, ...(await rawRequest(port, method, path, host)) });
  }
  writeFileSync(file, JSON.stringify({ authorizationUrl: start.href, probes }));
  say(`probed the listener with ${probes.length} requests`);
}

async function main() {
  log(`launch driver=http pid=${process.pid}`);
  const timeoutMs = Number(env.LOGIN_DRIVER_TIMEOUT_MS ?? 30000);
  setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs).unref();

  const start = URL.parse(process.argv.at(-1) ?? '');
  if (!start || !/^https?:$/.test(start.protocol)) fail('the last argument must be an http(s) URL');
  if (env.LOGIN_DRIVER_PROBE) await probeListener(start, env.LOGIN_DRIVER_PROBE);
  const delay = Number(env.LOGIN_DRIVER_DELAY_MS ?? 0);
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

  const username = env.LOGIN_DRIVER_USER ?? 'demo-user';
  const password = env.LOGIN_DRIVER_PASSWORD ?? 'demo-password';
  const request = makeRequester(env.LOGIN_DRIVER_CA_FILE ? await caDispatcher(env.LOGIN_DRIVER_CA_FILE) : undefined);

  let url = start;
  let redirectUri = redirectUriOf(start);
  let init = {};
  for (let step = 0; step < MAX_STEPS; step += 1) {
    redirectUri ??= redirectUriOf(url);
    if (isCallback(url, redirectUri)) return finishAtCallback(request, url);

    const response = await request(url, init);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.arrayBuffer();
      url = new URL(location, url);
      init = {};
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) fail(`${init.method ?? 'GET'} ${url.pathname} answered HTTP ${response.status}`);
    const form = parseForm(html);
    if (!form && html.includes('Sign-in Success')) {
      // The device flow ends on the provider's own success page, not on a loopback callback.
      say(`device sign-in confirmed on ${url.pathname}`);
      log('result=ok');
      return;
    }
    if (!form || form.method !== 'post' || !form.action) fail(`no login or consent form on ${url.pathname}`);

    const fields = new URLSearchParams([...form.fields]);
    if (form.fields.has('login')) fields.set('login', username);
    if (form.fields.has('password')) fields.set('password', password);
    say(`submitting ${fields.get('prompt') ?? 'form'} on ${url.pathname}`);
    init = {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    };
    url = new URL(form.action, url);
  }
  fail(`no callback after ${MAX_STEPS} steps`);
}

main().then(
  // Exit explicitly: keep-alive sockets would otherwise hold the process open for seconds.
  () => process.exit(0),
  (error) => {
    // fetch() says only "fetch failed"; the cause says why (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE).
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
    const detail = cause ? `: ${cause.code ?? cause.message}` : '';
    fail(`${error instanceof Error ? error.message : String(error)}${detail}`);
  },
);
