// The ExecCredential that kubectl reads from stdout (SPECS A.3): the object and nothing else.
import type { ExecApiVersion } from './exec-info.js';

/** The stdout text: one ExecCredential, in the same API version kubectl asked for, and a newline. */
export function encodeExecCredential(apiVersion: ExecApiVersion, token: string, expiresAtSeconds: number): string {
  // RFC 3339 in UTC without fractions, as Go's time.RFC3339 prints it.
  const expirationTimestamp = new Date(Math.floor(expiresAtSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.stringify({ apiVersion, kind: 'ExecCredential', status: { token, expirationTimestamp } }) + '\n';
}
