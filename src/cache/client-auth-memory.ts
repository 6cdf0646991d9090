// The client authentication method a provider accepted for a confidential client, remembered per
// issuer and client ID in a small 0600 file in the cache folder (`client-auth-<sha256>.json`), so that
// later runs make one request instead of a refused HTTP Basic attempt and a retry. It holds no secret;
// it lives beside the entries, not in them, because one issuer and client serve many cache keys
// (scopes) and the keychain store keeps no per-key file.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../platform/atomic-write.js';
import { sha256Hex } from './sha256.js';

type Method = 'client_secret_basic' | 'client_secret_post';

/** The memory of one issuer and client in `dir` (see ClientAuthMemory in oidc/provider-client.ts). */
export function fileClientAuthMemory(dir: string, issuer: string, clientId: string): { read(): Promise<Method | undefined>; write(method: Method): Promise<void> } {
  const path = join(dir, `client-auth-${sha256Hex(`${issuer}\n${clientId}`)}.json`);
  return {
    async read() {
      try {
        const stored = JSON.parse(await readFile(path, 'utf8')) as { issuer?: unknown; clientId?: unknown; method?: unknown };
        if (stored.issuer !== issuer || stored.clientId !== clientId) return undefined;
        return stored.method === 'client_secret_post' || stored.method === 'client_secret_basic' ? stored.method : undefined;
      } catch {
        return undefined;
      }
    },
    async write(method) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await atomicWriteFile(path, `${JSON.stringify({ issuer, clientId, method })}\n`, 0o600);
    },
  };
}

/** The memory for a get-token configuration, as connectProvider's `clientAuthMemory`; none with storage `none`. */
export function clientAuthMemoryOf(input: { cacheDir: string; storage: string; issuerUrl: string; clientId: string }): { clientAuthMemory?: ReturnType<typeof fileClientAuthMemory> } {
  return input.storage === 'none' ? {} : { clientAuthMemory: fileClientAuthMemory(input.cacheDir, input.issuerUrl, input.clientId) };
}
