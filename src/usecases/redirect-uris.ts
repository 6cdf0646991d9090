// The redirect URIs a provider must have registered for the loopback listen addresses in use. Many
// providers (glewlwyd among them) match redirect URIs exactly, with no RFC 8252 section 7.3 any-port
// rule: each listen port needs its own `http://HOST:PORT/`, and port 0 (any free port) cannot work.
import type { GetTokenInput } from '../config/get-token-input.js';

/** The URIs to register, one per fixed listen port, and whether a listen address uses port 0. */
export function redirectUrisOf(input: Pick<GetTokenInput, 'listenAddresses' | 'redirectHostname'>): { uris: string[]; anyPort: boolean } {
  const uris = input.listenAddresses.filter((address) => address.port !== 0).map((address) => `http://${input.redirectHostname}:${address.port}/`);
  return { uris: [...new Set(uris)], anyPort: input.listenAddresses.some((address) => address.port === 0) };
}
