// `borealis login | logout | whoami`: sign in with a password (+ TOTP setup or verify) or an API
// key and store the credential; forget it; show who the stored credential is.
// Endpoints: POST /api/auth/login, POST /api/auth/mfa/verify, POST /api/auth/logout,
// GET /api/auth/me.
import type { Command } from 'commander';
import {
  LoginResponseSchema,
  MeSchema,
  SessionInfoSchema,
  StatusOkSchema,
  type Me,
  type MfaRequired,
  type SessionInfo,
} from '@borealis/protocol';
import { CliContext, type CliIo } from '../cli-context.js';
import {
  normalizeServerUrl,
  saveConfig,
  trustFromFlags,
  type CliConfig,
  type StoredAuth,
  type TrustFlags,
} from '../config-store.js';
import { ApiError, CliError, UsageError } from '../errors.js';
import { ApiClient, SESSION_COOKIE } from '../https-client.js';
import { formatDetails, formatJson } from '../output.js';
import type { Prompter } from '../prompt.js';

interface LoginOptions {
  server?: string;
  username?: string;
  apiKey?: string;
}

/** `me` without the CSRF token: `--json` output must not carry secrets. */
function publicMe(me: Me): Omit<Me, 'csrf_token'> {
  const { csrf_token: _csrf, ...rest } = me;
  return rest;
}

function printIdentity(ctx: CliContext, server: string, me: Me, verb: string): void {
  if (ctx.json) {
    ctx.output.out(formatJson({ server_url: server, ...publicMe(me) }));
    return;
  }
  const via = me.auth === 'api_key' ? ' with an API key' : '';
  ctx.output.out(`${verb} ${server} as ${me.username} (${me.role})${via}.\n`);
}

/** Asks for the TOTP code and trades the pending token for a session. */
async function completeMfa(
  ctx: CliContext,
  client: ApiClient,
  prompter: Prompter,
  mfa: MfaRequired,
): Promise<SessionInfo> {
  if (mfa.stage === 'setup') {
    ctx.output.err(
      `Multi-factor authentication must be set up for ${mfa.username}.\n` +
        'Add this account to an authenticator app, then enter the code it shows.\n' +
        (mfa.secret ? `  secret:      ${mfa.secret}\n` : '') +
        (mfa.otpauth_url ? `  otpauth URL: ${mfa.otpauth_url}\n` : ''),
    );
  }
  const code = (await prompter.ask('Authenticator code')).replace(/\s+/g, '');
  const res = await client.send('POST', '/api/auth/mfa/verify', SessionInfoSchema, {
    pending_token: mfa.pending_token,
    code,
  });
  return res.data;
}

async function passwordLogin(
  ctx: CliContext,
  client: ApiClient,
  opts: LoginOptions,
): Promise<StoredAuth> {
  const prompter = ctx.io.prompter();
  let username = opts.username;
  if (!username) {
    if (!prompter.interactive) {
      throw new UsageError('--username is required when stdin is not a terminal.');
    }
    username = (await prompter.ask('Username')).trim();
  }
  const password = await prompter.ask('Password', { hidden: true });
  if (!password) throw new CliError('input_missing', 'No password given.');
  const login = await client.send('POST', '/api/auth/login', LoginResponseSchema, {
    username,
    password,
  });
  const session =
    login.data.status === 'ok' ? login.data : await completeMfa(ctx, client, prompter, login.data);
  const cookie = client.cookie(SESSION_COOKIE);
  if (!cookie) {
    throw new CliError(
      'no_session',
      `The server accepted the login but set no ${SESSION_COOKIE} cookie.`,
    );
  }
  return { type: 'session', cookie, csrf_token: session.csrf_token };
}

async function login(ctx: CliContext, opts: LoginOptions): Promise<void> {
  const saved = await ctx.savedConfig();
  const server = opts.server ?? ctx.io.env.BOREALIS_URL ?? saved?.server_url;
  if (!server) throw new UsageError('--server <url> is required for the first login.');
  const serverUrl = normalizeServerUrl(server);
  let trust: TrustFlags = trustFromFlags(ctx.globals, ctx.io.env);
  if (!trust.caFile && !trust.caFingerprint && saved?.server_url === serverUrl) {
    trust = {
      ...(saved.ca_file ? { caFile: saved.ca_file } : {}),
      ...(saved.ca_fingerprint ? { caFingerprint: saved.ca_fingerprint } : {}),
    };
  }
  const client = new ApiClient({ serverUrl, trust });

  let auth: StoredAuth;
  if (opts.apiKey !== undefined) {
    const key =
      opts.apiKey === '-' ? (await ctx.io.prompter().readStdinLine('API key')).trim() : opts.apiKey;
    if (!key) throw new UsageError('--api-key needs a key (or - to read it from stdin).');
    auth = { type: 'api_key', key };
  } else {
    auth = await passwordLogin(ctx, client, opts);
  }
  client.setAuth(auth);
  const me = await client.get('/api/auth/me', MeSchema);
  if (auth.type === 'session' && me.data.csrf_token) auth.csrf_token = me.data.csrf_token;

  const config: CliConfig = {
    server_url: serverUrl,
    ...(trust.caFile ? { ca_file: trust.caFile } : {}),
    ...(trust.caFingerprint ? { ca_fingerprint: trust.caFingerprint } : {}),
    auth,
  };
  await saveConfig(ctx.configFile, config);
  printIdentity(ctx, serverUrl, me.data, 'Logged in to');
}

async function logout(ctx: CliContext): Promise<void> {
  const saved = await ctx.savedConfig();
  if (!saved?.auth) {
    ctx.output.out(ctx.json ? formatJson({ status: 'ok' }) : 'Not logged in.\n');
    return;
  }
  if (saved.auth.type === 'session') {
    try {
      const client = new ApiClient({
        serverUrl: saved.server_url,
        trust: {
          ...(saved.ca_file ? { caFile: saved.ca_file } : {}),
          ...(saved.ca_fingerprint ? { caFingerprint: saved.ca_fingerprint } : {}),
        },
        auth: saved.auth,
      });
      await client.send('POST', '/api/auth/logout', StatusOkSchema);
    } catch (err) {
      // An expired session is already gone on the server; anything else is worth saying.
      if (!(err instanceof ApiError && err.status === 401)) {
        const msg = err instanceof Error ? err.message : String(err);
        ctx.output.err(`warning: could not end the session on the server: ${msg}\n`);
      }
    }
  }
  const { auth: _auth, ...rest } = saved;
  await saveConfig(ctx.configFile, rest);
  ctx.output.out(ctx.json ? formatJson({ status: 'ok' }) : `Logged out of ${saved.server_url}.\n`);
}

async function whoami(ctx: CliContext): Promise<void> {
  const client = await ctx.client();
  const me = await client.get('/api/auth/me', MeSchema);
  if (ctx.json) {
    ctx.output.out(formatJson({ server_url: client.baseUrl.origin, ...publicMe(me.data) }));
    return;
  }
  ctx.output.out(
    formatDetails([
      ['Server', client.baseUrl.origin],
      ['Username', me.data.username],
      ['Display name', me.data.display_name],
      ['Role', me.data.role],
      ['Signed in with', me.data.auth === 'api_key' ? 'API key' : 'session'],
    ]),
  );
}

export function registerAuthCommands(program: Command, io: CliIo): void {
  program
    .command('login')
    .description('sign in to an engine and remember the credential')
    .option('--server <url>', 'engine URL, e.g. https://127.0.0.1:5000')
    .option('--username <name>', 'operator username (prompted on a terminal)')
    .option('--api-key <key>', 'use an API key instead of a password (- reads it from stdin)')
    .action(async (opts: LoginOptions, cmd: Command) => login(CliContext.of(io, cmd), opts));

  program
    .command('logout')
    .description('end the session and forget the stored credential')
    .action(async (_opts: unknown, cmd: Command) => logout(CliContext.of(io, cmd)));

  program
    .command('whoami')
    .description('show the account the stored credential belongs to')
    .action(async (_opts: unknown, cmd: Command) => whoami(CliContext.of(io, cmd)));
}
