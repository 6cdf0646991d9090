// The list of commands: each entry registers one subcommand on the program.
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { register as registerGetToken } from './get-token.js';
import { register as registerClean } from './clean.js';
import { register as registerApiserverConfig } from './apiserver-config.js';
import { register as registerRbac } from './rbac.js';
import { register as registerSetup } from './setup.js';
import { register as registerStatus } from './status.js';
import { register as registerLogin } from './login.js';
import { register as registerLogout } from './logout.js';
import { register as registerDoctor } from './doctor.js';

/** Registers one command; its action lazily imports the use case it runs. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command of the CLI, in help order. */
export const COMMANDS: readonly RegisterCommand[] = [registerGetToken, registerClean, registerApiserverConfig, registerRbac, registerSetup, registerStatus, registerLogin, registerLogout, registerDoctor];
