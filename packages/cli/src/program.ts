// Builds the `borealis` command tree (commander) and runs it: global options, the command
// groups (login/logout/whoami, users, sites, codes), and the mapping of failures to output and
// exit status: `error: <message> (<code>)` on stderr; 1 for API and runtime errors, 2 for usage.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { CliIo } from './cli-context.js';
import { registerAuthCommands } from './commands/auth.commands.js';
import { registerCodeCommands } from './commands/codes.commands.js';
import { registerSiteCommands } from './commands/sites.commands.js';
import { registerUserCommands } from './commands/users.commands.js';
import { CliError } from './errors.js';
import { formatError } from './output.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('borealis')
    .description('Borealis admin CLI: operators, sites and installer codes over the REST API')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'print the raw JSON the engine returned (for scripts)')
    .option('--ca-file <pem>', 'trust the engine root CA in this PEM file (or BOREALIS_CA_FILE)')
    .option('--ca-fingerprint <sha256>', "pin the SHA-256 fingerprint of the engine's root CA")
    .configureOutput({
      writeOut: (text) => io.output.out(text),
      writeErr: (text) => io.output.err(text),
    })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  registerAuthCommands(program, io);
  registerUserCommands(program, io);
  registerSiteCommands(program, io);
  registerCodeCommands(program, io);
  return program;
}

/** Parses argv, runs the command and returns the exit status; never throws. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    // Commander already printed its message (or the help text).
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      io.output.err(formatError(err.message, err.code));
      return err.exitCode;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.output.err(formatError(message, 'internal_error'));
    return 1;
  }
}
