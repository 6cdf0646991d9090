// `kube-login clean`: removes every cached token of a cache directory, keychain and disk.
import { homedir } from 'node:os';
import { Command } from 'commander';
import { resolveCacheDir } from '../../cache/cache-dir.js';
import { addGetTokenOptions, rawFlagsFrom } from '../options/get-token-options.js';
import type { CliContext } from '../context.js';

const FLAGS = new Set(['token-cache-dir', 'verbose']);

/** Registers clean. It reports on stderr; stdout stays empty. */
export function register(program: Command, ctx: CliContext): void {
  const command = new Command('clean')
    .description('remove every cached token (entry files, keychain items, locks) of the cache directory')
    .allowExcessArguments(false);
  addGetTokenOptions(command, FLAGS).action(async () => {
    const raw = rawFlagsFrom(command);
    // The same directory get-token uses, KUBECACHEDIR included.
    const kubeCacheDir = ctx.env['KUBECACHEDIR'];
    const cacheDir = resolveCacheDir(raw.strings['token-cache-dir'] ?? (kubeCacheDir ? `${kubeCacheDir}/kube-login` : undefined), homedir());
    const [{ clean }, { createLogger }] = await Promise.all([import('../../usecases/clean.js'), import('../../platform/logger.js')]);
    await clean({ logger: createLogger(ctx.stderr, raw.booleans['verbose'] === true) }, { cacheDir });
  });
  program.addCommand(command);
}
