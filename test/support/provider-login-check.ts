// Makes oidc-provider's development login form check the name and password of the demo user (and any other test account).
import type { IncomingMessage } from 'node:http';
import type { ProviderMiddleware } from 'oidc-provider';

const SUBMIT_PATH = /^\/interaction\/[^/]+$/;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

const REJECTED_PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign-in failed</title></head>
<body><h1>Sign-in failed</h1><p>Invalid login or password.</p></body></html>
`;

/**
 * The dev login form accepts any login and ignores the password; this middleware answers 401 unless
 * `login`/`password` match, and hands the already-read body on to oidc-provider as `req.body`.
 */
export function requireLogin(username: string, password: string, others: ReadonlyArray<{ username: string; password: string }> = []): ProviderMiddleware {
  const passwords = new Map([[username, password], ...others.map((other) => [other.username, other.password] as const)]);
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !SUBMIT_PATH.test(ctx.path)) return next();
    const body = await readBody(ctx.req);
    const form = new URLSearchParams(body);
    if (form.get('prompt') === 'login' && (passwords.get(form.get('login') ?? '') === undefined || passwords.get(form.get('login') ?? '') !== form.get('password'))) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = REJECTED_PAGE;
      return;
    }
    // oidc-provider's body parser falls back to req.body once the stream has been consumed.
    (ctx.req as IncomingMessage & { body?: string }).body = body;
    return next();
  };
}
