// `borealis users …`: operator accounts (admin only).
// Endpoints: GET /api/users, POST /api/users, DELETE /api/users/:username,
// POST /api/users/:username/reset_password, POST /api/users/:username/role,
// POST /api/users/:username/mfa.
import type { Command } from 'commander';
import { StatusOkSchema, UserListSchema, UserSchema, type User } from '@borealis/protocol';
import { CliContext, exactlyOne, parseRole, type CliIo } from '../cli-context.js';
import { UsageError } from '../errors.js';
import { formatTime, printList, printResult, type Column } from '../output.js';
import { askNewPassword } from '../prompt.js';

const USER_COLUMNS: Column<User>[] = [
  { header: 'Username', value: (u) => u.username },
  { header: 'Display name', value: (u) => u.display_name },
  { header: 'Role', value: (u) => u.role },
  { header: 'MFA', value: (u) => u.mfa_enabled },
  { header: 'Last login', value: (u) => formatTime(u.last_login) },
  { header: 'Created', value: (u) => formatTime(u.created_at) },
];

const userPath = (username: string, action?: string) =>
  `/api/users/${encodeURIComponent(username)}${action ? `/${action}` : ''}`;

interface CreateOptions {
  role?: string;
  displayName?: string;
  passwordStdin?: boolean;
}

interface MfaOptions {
  enable?: boolean;
  disable?: boolean;
  reset?: boolean;
}

async function list(ctx: CliContext): Promise<void> {
  const res = await (await ctx.client()).get('/api/users', UserListSchema);
  printList(ctx.output, ctx.json, res.raw, res.data.users, USER_COLUMNS, 'No users.');
}

async function create(ctx: CliContext, username: string, opts: CreateOptions): Promise<void> {
  if (!opts.role) throw new UsageError('--role <role> is required (Admin, Operator or Viewer).');
  const role = parseRole(opts.role);
  const client = await ctx.client();
  const password = await askNewPassword(ctx.io.prompter(), Boolean(opts.passwordStdin));
  const res = await client.send('POST', '/api/users', UserSchema, {
    username,
    password,
    role,
    ...(opts.displayName !== undefined ? { display_name: opts.displayName } : {}),
  });
  printResult(
    ctx.output,
    ctx.json,
    res.raw,
    `Created user ${res.data.username} (${res.data.role}).`,
  );
}

async function remove(ctx: CliContext, username: string): Promise<void> {
  const res = await (await ctx.client()).send('DELETE', userPath(username), StatusOkSchema);
  printResult(ctx.output, ctx.json, res.raw, `Deleted user ${username}.`);
}

async function setRole(ctx: CliContext, username: string, roleInput: string): Promise<void> {
  const role = parseRole(roleInput);
  const res = await (
    await ctx.client()
  ).send('POST', userPath(username, 'role'), UserSchema, {
    role,
  });
  printResult(ctx.output, ctx.json, res.raw, `${res.data.username} is now ${res.data.role}.`);
}

async function resetPassword(
  ctx: CliContext,
  username: string,
  opts: { passwordStdin?: boolean },
): Promise<void> {
  const client = await ctx.client();
  const password = await askNewPassword(ctx.io.prompter(), Boolean(opts.passwordStdin));
  const res = await client.send('POST', userPath(username, 'reset_password'), StatusOkSchema, {
    password,
  });
  printResult(ctx.output, ctx.json, res.raw, `Password of ${username} changed.`);
}

async function setMfa(ctx: CliContext, username: string, opts: MfaOptions): Promise<void> {
  const which = exactlyOne({ '--enable': opts.enable, '--disable': opts.disable });
  const enabled = which === '--enable';
  const res = await (
    await ctx.client()
  ).send('POST', userPath(username, 'mfa'), UserSchema, {
    enabled,
    ...(opts.reset ? { reset_secret: true } : {}),
  });
  const what = res.data.mfa_enabled ? 'enabled' : 'disabled';
  const reset = opts.reset ? '; the enrolled authenticator was forgotten' : '';
  printResult(ctx.output, ctx.json, res.raw, `MFA ${what} for ${res.data.username}${reset}.`);
}

export function registerUserCommands(program: Command, io: CliIo): void {
  const users = program.command('users').description('manage operator accounts (admin)');

  users
    .command('list')
    .description('list operator accounts')
    .action(async (_opts: unknown, cmd: Command) => list(CliContext.of(io, cmd)));

  users
    .command('create <username>')
    .description('create an account (password prompted, or one line on stdin)')
    .option('--role <role>', 'Admin, Operator or Viewer')
    .option('--display-name <name>', 'name shown in the UI')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, opts: CreateOptions, cmd: Command) =>
      create(CliContext.of(io, cmd), username, opts),
    );

  users
    .command('delete <username>')
    .description('delete an account')
    .action(async (username: string, _opts: unknown, cmd: Command) =>
      remove(CliContext.of(io, cmd), username),
    );

  users
    .command('set-role <username> <role>')
    .description('change the role of an account')
    .action(async (username: string, role: string, _opts: unknown, cmd: Command) =>
      setRole(CliContext.of(io, cmd), username, role),
    );

  users
    .command('reset-password <username>')
    .description('set a new password for an account')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (username: string, opts: { passwordStdin?: boolean }, cmd: Command) =>
      resetPassword(CliContext.of(io, cmd), username, opts),
    );

  users
    .command('mfa <username>')
    .description('turn multi-factor authentication on or off for an account')
    .option('--enable', 'require a TOTP code at login')
    .option('--disable', 'stop requiring a TOTP code')
    .option('--reset', 'forget the enrolled authenticator (set up again at the next login)')
    .action(async (username: string, opts: MfaOptions, cmd: Command) =>
      setMfa(CliContext.of(io, cmd), username, opts),
    );
}
