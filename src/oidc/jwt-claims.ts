// Reading the payload of a JWT we validated earlier (a cached ID token); no signature check here.
import { terminalLine } from '../platform/terminal-text.js';

/** The decoded payload of a compact JWT, or undefined when it is not one. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A person-readable name for the subject of ID token claims (email, preferred_username, name, sub), safe for one terminal line. */
export function identityOf(claims: Record<string, unknown>): string {
  for (const name of ['email', 'preferred_username', 'name', 'sub']) {
    const value = claims[name];
    if (typeof value === 'string' && value !== '') return terminalLine(value);
  }
  return 'an unnamed user';
}
