// Builds the real ports of `kube-login login`: get-token's own (store, lock, provider, grants), with the
// extra authorization request parameters of this run (login_hint, prompt) applied to the login only.
import type { CliContext } from '../cli/context.js';
import type { GetTokenInput } from '../config/get-token-input.js';
import { type LoginNowResult, loginNow } from '../usecases/login-now.js';
import { getTokenDeps } from './get-token.js';

/** What the login command was asked. */
export interface LoginCommandInput {
  /** The configuration: its cache key is the context's, whatever this run adds. */
  input: GetTokenInput;
  /** Authorization request parameters for this login only (not part of the cache key). */
  requestParams: Record<string, string>;
  force: boolean;
  context?: string;
}

/** Runs login for real; the report goes to stderr. */
export async function runLogin(ctx: CliContext, command: LoginCommandInput): Promise<LoginNowResult> {
  const loginInput: GetTokenInput = { ...command.input, extraParams: { ...command.input.extraParams, ...command.requestParams } };
  const deps = await getTokenDeps(ctx, loginInput);
  return loginNow(deps, command.input, { force: command.force, ...(command.context === undefined ? {} : { context: command.context }) });
}
