// The loopback redirect listener on a real 127.0.0.1 port: exactly one valid callback ends the wait;
// a foreign path, a wrong state and an error= response get an error page and the wait goes on.
import { describe, expect, it } from 'vitest';
import { startLoopbackServer } from '../../../src/oidc/loopback-server.js';
import { createLogger } from '../../../src/platform/logger.js';
import { Redactor } from '../../../src/platform/redactor.js';

function recordingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ write: (text: string) => lines.push(text) }, false, new Redactor()), lines };
}

describe('the loopback listener', () => {
  it('answers stray requests with error pages, keeps waiting, and accepts the one valid callback', async () => {
    const { logger, lines } = recordingLogger();
    const server = await startLoopbackServer([{ host: '127.0.0.1', port: 0 }], 'localhost', 'the-state', logger);
    const port = new URL(server.redirectUri).port;
    expect(server.redirectUri).toBe(`http://localhost:${port}/`);
    const base = `http://127.0.0.1:${port}`;
    const controller = new AbortController();
    let settled = false;
    const waiting = server.waitForCallback(controller.signal).then((callback) => {
      settled = true;
      return callback;
    });
    try {
      const foreign = await fetch(`${base}/somewhere?code=x&state=the-state`);
      expect(foreign.status).toBe(404);
      const wrongState = await fetch(`${base}/?code=x&state=forged`);
      expect(wrongState.status).toBe(400);
      expect(await wrongState.text()).toContain('does not belong to the login in progress');
      const denied = await fetch(`${base}/?error=access_denied&error_description=nope&state=the-state`);
      expect(denied.status).toBe(400);
      const deniedPage = await denied.text();
      expect(deniedPage).toContain('access_denied');
      expect(deniedPage).not.toContain('href=');
      expect(settled).toBe(false);
      expect(lines.join('')).toContain('the provider returned access_denied: nope; still waiting');

      const valid = fetch(`${base}/?code=the-code&state=the-state`);
      const callback = await waiting;
      expect(callback.url.searchParams.get('code')).toBe('the-code');
      callback.respond(200, '<p>ok</p>');
      expect((await valid).status).toBe(200);
    } finally {
      server.close();
    }
  });

  it('ends the wait with the abort reason (timeout, Ctrl-C)', async () => {
    const { logger } = recordingLogger();
    const server = await startLoopbackServer([{ host: '127.0.0.1', port: 0 }], 'localhost', 's', logger);
    const controller = new AbortController();
    const waiting = server.waitForCallback(controller.signal);
    controller.abort(new Error('timed out'));
    await expect(waiting).rejects.toThrow('timed out');
    server.close();
  });
});
