// The pages the loopback listener answers the browser with: small, styled, self-contained.

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function page(title: string, tone: 'ok' | 'error', lines: string[]): string {
  const color = tone === 'ok' ? '#1a7f37' : '#cf222e';
  const mark = tone === 'ok' ? '&#10003;' : '&#10007;';
  const body = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>kube-login: ${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f6f8fa;color:#1f2328;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}
main{background:#fff;border:1px solid #d0d7de;border-radius:12px;padding:2rem 2.5rem;max-width:34rem;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:1.3rem;margin:0 0 1rem;color:${color}}p{line-height:1.5;margin:.4rem 0}a{color:#0969da}</style></head>
<body><main><h1>${mark} ${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** The page shown after a successful login. */
export function successPage(identity: string, expiresAt: Date): string {
  return page('Logged in to kubectl', 'ok', [
    `You are logged in as ${identity}.`,
    `This session is valid until ${expiresAt.toUTCString()}; kube-login refreshes it as needed.`,
    'You can close this tab and return to the terminal.',
  ]);
}

/**
 * The page shown when a callback is refused or the login failed. It never links to the authorization
 * URL: the person retries from the terminal, which shows it (see startLoopbackServer).
 */
export function errorPage(reason: string): string {
  return page('Login failed', 'error', [reason, 'Return to the terminal: it says whether kube-login is still waiting, and shows the login address to open again.']);
}
