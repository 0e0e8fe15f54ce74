// The `borealis-agent` command line (commander): the default action runs the root agent;
// `install` / `uninstall` manage the systemd units; `user` runs the per-user helper. Usage and
// configuration errors print `error: <message>` and exit 2.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { AgentRuntime } from './agent.js';
import {
  agentPaths,
  ConfigError,
  PACKAGE_ROOT,
  resolveRuntimeConfig,
  type CommonOptions,
} from './config.js';
import { runUserHelper } from './local/user-helper.js';
import { AgentLog, errText } from './logging/agent-log.js';
import { systemClock } from './logging/clock.js';
import {
  install,
  SYSTEM_UNIT_DIR,
  uninstall,
  USER_UNIT_DIR,
  type ServiceResult,
} from './service/systemd.js';
import { TrustError, TrustManager } from './tls-trust.js';
import { AGENT_VERSION } from './version.js';

export interface ProgramIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the process should stop (SIGTERM/SIGINT). */
  onStop(handler: () => void): void;
}

const MAIN_JS = fileURLToPath(new URL('./main.js', import.meta.url));

function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option(
      '--server-url <url>',
      'engine URL, e.g. https://borealis.example:5000 (or BOREALIS_SERVER_URL)',
    )
    .option(
      '--installer-code <code>',
      'site enrollment code or installer code (or BOREALIS_INSTALLER_CODE)',
    )
    .option('--ca-file <pem>', 'trust only the engine root CA in this PEM file')
    .option(
      '--ca-fingerprint <sha256>',
      "trust the engine's root CA whose SHA-256 (of its DER) is this",
    )
    .option('--trust-on-first-use', 'pin whatever CA the engine presents at the first contact')
    .option('--root <dir>', `install root (default ${PACKAGE_ROOT})`)
    .option('--debug', 'log DEBUG lines too');
}

function printService(io: ProgramIo, r: ServiceResult): void {
  for (const f of r.written) io.out(`wrote ${f}\n`);
  for (const f of r.removed) io.out(`removed ${f}\n`);
  if (!r.ran) {
    io.out('run as root to apply:\n');
    for (const c of r.commands) io.out(`  ${c.join(' ')}\n`);
  }
}

async function runAgent(opts: CommonOptions, io: ProgramIo): Promise<void> {
  const config = resolveRuntimeConfig(opts, process.env);
  const log = new AgentLog({
    dir: config.paths.logsDir,
    clock: systemClock,
    context: 'SYSTEM',
    echo: Boolean(process.stdout.isTTY),
    debug: config.debug,
  });
  const runtime = new AgentRuntime({ config, log });
  const stopped = new Promise<void>((resolve) =>
    io.onStop(() => void runtime.stop().then(resolve)),
  );
  await runtime.start();
  await stopped;
}

export function buildProgram(io: ProgramIo): Command {
  const program = withConnectionOptions(new Command('borealis-agent'))
    .description(
      'Borealis agent: enrolls this machine with a Borealis engine and keeps it connected',
    )
    .version(AGENT_VERSION, '-V, --version')
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) })
    .exitOverride()
    // Options after a subcommand belong to it (install takes the same connection options).
    .enablePositionalOptions()
    .action(async (opts: CommonOptions) => runAgent(opts, io));

  withConnectionOptions(program.command('install'))
    .description(
      'store the connection settings and install the systemd units (root service + per-user helper)',
    )
    .option('--unit-dir <dir>', 'system unit directory', SYSTEM_UNIT_DIR)
    .option('--user-unit-dir <dir>', 'user unit directory', USER_UNIT_DIR)
    .action(async (opts: CommonOptions & { unitDir: string; userUnitDir: string }) => {
      const config = resolveRuntimeConfig(opts, process.env);
      if (config.caFile) {
        const log = new AgentLog({
          dir: config.paths.logsDir,
          clock: systemClock,
          context: 'SYSTEM',
        });
        await new TrustManager(
          config.paths,
          {
            serverUrl: config.serverUrl,
            ...(config.trust ? { trust: config.trust } : {}),
            caFile: config.caFile,
          },
          log.root.child('tls'),
        ).ensurePinned();
        log.close();
      } else if (
        !config.trust &&
        !new TrustManager(
          config.paths,
          { serverUrl: config.serverUrl },
          new AgentLog({ dir: null, clock: systemClock, context: 'SYSTEM' }).root,
        ).pinned()
      ) {
        throw new ConfigError(
          'no engine CA: pass --ca-file, --ca-fingerprint or --trust-on-first-use',
        );
      }
      printService(
        io,
        install({
          nodePath: process.execPath,
          mainPath: MAIN_JS,
          root: config.paths.root,
          unitDir: path.resolve(opts.unitDir),
          userUnitDir: path.resolve(opts.userUnitDir),
        }),
      );
      io.out(`settings stored under ${config.paths.settingsDir}\n`);
    });

  program
    .command('uninstall')
    .description(
      'remove the systemd units (settings, identity and logs stay under the install root)',
    )
    .option('--unit-dir <dir>', 'system unit directory', SYSTEM_UNIT_DIR)
    .option('--user-unit-dir <dir>', 'user unit directory', USER_UNIT_DIR)
    .action((opts: { unitDir: string; userUnitDir: string }) => {
      printService(
        io,
        uninstall({
          unitDir: path.resolve(opts.unitDir),
          userUnitDir: path.resolve(opts.userUnitDir),
        }),
      );
    });

  program
    .command('user')
    .description(
      'per-user helper: registers the current user with the root agent over its local socket',
    )
    .option('--root <dir>', `install root (default ${PACKAGE_ROOT})`)
    .action(async (opts: { root?: string }) => {
      const paths = agentPaths(opts.root ?? process.env.BOREALIS_ROOT ?? PACKAGE_ROOT);
      const log = new AgentLog({ dir: null, clock: systemClock, context: 'CURRENTUSER' });
      const abort = new AbortController();
      io.onStop(() => abort.abort());
      await runUserHelper({
        socketFile: paths.socketFile,
        signingKeyFile: paths.sharedSigningKeyFile,
        log: log.root,
        signal: abort.signal,
      });
    });
  return program;
}

/** Parses argv and runs; returns the exit status (0 ok, 1 runtime error, 2 usage/config error). */
export async function run(argv: readonly string[], io: ProgramIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError || (err instanceof TrustError && err.fatal)) {
      io.err(`error: ${err.message}\n`);
      return 2;
    }
    io.err(`error: ${errText(err)}\n`);
    return 1;
  }
}
