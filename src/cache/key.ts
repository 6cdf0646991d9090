// The cache key: sha256 over a canonical encoding of what identifies one token set.
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './sha256.js';

/** What identifies a token set: one issuer, client, scope set, extra parameters and account. */
export interface CacheKeyInput {
  issuer: string;
  clientId: string;
  /** Requested scopes besides `openid`, sorted and de-duplicated. */
  scopes: string[];
  /** Extra authorization request parameters, e.g. `login_hint`, `audience`. */
  extraParams: Record<string, string>;
  /** The account hint of the password grant, when one is used. */
  username?: string;
}

/** A cache key: its id (hex sha256, also the file name) and the input it was made from. */
export interface CacheKey {
  id: string;
  input: CacheKeyInput;
}

/** Builds the key; scopes are normalized so that flag order never changes it. */
export function cacheKey(input: CacheKeyInput): CacheKey {
  const normalized: CacheKeyInput = {
    issuer: input.issuer,
    clientId: input.clientId,
    scopes: [...new Set(input.scopes)].sort(),
    extraParams: { ...input.extraParams },
    ...(input.username === undefined ? {} : { username: input.username }),
  };
  const id = sha256Hex(canonicalJson({ ...normalized, v: 1 }));
  return { id, input: normalized };
}
