// Reads a compact JWS without verifying it, as kube-apiserver's `untrustedIssuer` and go-oidc do first.

/** The decoded parts of a compact JWT; nothing here is verified. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

/** The result of decoding: the parts, or the reason the text is not a compact JWT. */
export type DecodeResult = { readonly ok: true; readonly jwt: DecodedJwt } | { readonly ok: false; readonly reason: string };

/** Decodes `header.payload.signature` (base64url without padding, JSON objects). */
export function decodeCompactJwt(token: string): DecodeResult {
  if (token.trim().startsWith('{')) return { ok: false, reason: 'token is not compact JWT' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed token' };
  const header = decodePart(parts[0] ?? '');
  if (header === undefined) return { ok: false, reason: 'malformed jwt: the header is not base64url JSON' };
  const claims = decodePart(parts[1] ?? '');
  if (claims === undefined) return { ok: false, reason: 'error decoding token: the payload is not base64url JSON' };
  return { ok: true, jwt: { header, claims } };
}

/** Strips whitespace around a token read from a file or stdin (a trailing newline is usual). */
export function trimTokenText(text: string): string {
  return text.trim();
}

function decodePart(part: string): Record<string, unknown> | undefined {
  // Go's base64.RawURLEncoding: the URL alphabet and no padding.
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
