// Builds the real ports of apiserver-config: files, stdin/stdout, the clock, and the provider over
// the shared HTTP client (system roots plus --ca-file, proxy variables).
import type { CliContext } from '../cli/context.js';
import { createDiscoverProvider } from '../apiserver/discovery-source.js';
import { createSignatureVerifier } from '../apiserver/verify-signature.js';
import { createFetch } from '../oidc/http.js';
import { systemClock } from '../platform/clock.js';
import { type Logger, createLogger } from '../platform/logger.js';
import { type ApiserverConfigDeps, type ApiserverConfigInput, apiserverConfig } from '../usecases/apiserver-config.js';
import { outputPorts } from './output-ports.js';

/** The dependencies of apiserver-config for a real run. */
export function apiserverConfigDeps(ctx: CliContext, logger: Logger): ApiserverConfigDeps {
  return {
    ...outputPorts(ctx),
    logger,
    clock: systemClock,
    provider: async (caFile) => {
      const fetch = await createFetch({ certificateAuthorityFiles: caFile === undefined ? [] : [caFile], insecureSkipTlsVerify: false }, ctx.env);
      return { discover: createDiscoverProvider(fetch), verifySignature: createSignatureVerifier(fetch) };
    },
  };
}

/** Runs apiserver-config for real. */
export async function runApiserverConfig(ctx: CliContext, input: ApiserverConfigInput, verbose: boolean): Promise<void> {
  await apiserverConfig(apiserverConfigDeps(ctx, createLogger(ctx.stderr, verbose)), input);
}
