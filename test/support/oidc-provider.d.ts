// The small part of oidc-provider 9's API (it ships no type definitions) that the test provider uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The Koa context as oidc-provider middleware sees it. */
  export interface ProviderContext {
    method: string;
    path: string;
    /** The raw query string (without `?`); assigning it rewrites the request's query. */
    querystring: string;
    status: number;
    body: unknown;
    type: string;
    req: IncomingMessage;
    response: { get(field: string): string };
    oidc?: {
      route?: string;
      params?: Record<string, unknown>;
    };
  }

  /** A token endpoint handler added with `provider.registerGrantType`; it sets `ctx.body`. */
  export type GrantTypeHandler = (ctx: ProviderContext) => Promise<void>;

  /** A Koa middleware registered with `provider.use`. */
  export type ProviderMiddleware = (ctx: ProviderContext, next: () => Promise<void>) => Promise<void>;

  /** A stored token model instance (refresh tokens here). */
  export interface StoredToken {
    destroy(): Promise<void>;
  }

  /** The OpenID Provider: a Koa application. */
  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: ProviderMiddleware): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    readonly RefreshToken: { find(value: string): Promise<StoredToken | undefined> };
    registerGrantType(name: string, handler: GrantTypeHandler, parameters?: string[]): void;
  }

  /** OAuth error classes; only the one the test provider throws is listed. */
  export const errors: {
    InvalidTarget: new (description?: string) => Error;
  };

  export default Provider;
}
