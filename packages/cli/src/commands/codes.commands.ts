// `borealis codes …`: expiring installer codes (TTL 1–24 h, 1–10 uses) that enroll agents (admin).
// Endpoints: GET /api/admin/enrollment-codes?status=, POST /api/admin/enrollment-codes,
// DELETE /api/admin/enrollment-codes/:id.
import type { Command } from 'commander';
import {
  INSTALLER_CODE_STATUSES,
  InstallerCodeListSchema,
  InstallerCodeSchema,
  StatusOkSchema,
  type InstallerCode,
  type InstallerCodeStatus,
} from '@borealis/protocol';
import { CliContext, parseBoundedInt, type CliIo } from '../cli-context.js';
import { UsageError } from '../errors.js';
import {
  formatDetails,
  formatJson,
  formatTime,
  printList,
  printResult,
  type Column,
} from '../output.js';

const CODE_COLUMNS: Column<InstallerCode>[] = [
  { header: 'ID', value: (c) => c.id },
  { header: 'Code', value: (c) => c.code },
  { header: 'Status', value: (c) => c.status },
  { header: 'Uses', value: (c) => `${c.use_count}/${c.max_uses}`, align: 'right' },
  { header: 'Site', value: (c) => c.site_name ?? (c.site_id ? c.site_id : 'any') },
  { header: 'Expires', value: (c) => formatTime(c.expires_at) },
  { header: 'Created by', value: (c) => c.created_by },
];

interface CreateOptions {
  ttlHours?: string;
  maxUses?: string;
  site?: string;
}

function parseStatus(input: string | undefined): InstallerCodeStatus | undefined {
  if (input === undefined) return undefined;
  const status = INSTALLER_CODE_STATUSES.find((s) => s === input.trim().toLowerCase());
  if (!status) {
    throw new UsageError(`--status must be one of ${INSTALLER_CODE_STATUSES.join(', ')}.`);
  }
  return status;
}

async function list(ctx: CliContext, opts: { status?: string }): Promise<void> {
  const status = parseStatus(opts.status);
  const res = await (
    await ctx.client()
  ).get('/api/admin/enrollment-codes', InstallerCodeListSchema, {
    query: { status },
  });
  const note = status ? `No ${status} installer codes.` : 'No installer codes.';
  printList(ctx.output, ctx.json, res.raw, res.data.codes, CODE_COLUMNS, note);
}

async function create(ctx: CliContext, opts: CreateOptions): Promise<void> {
  const body = {
    ...(opts.ttlHours !== undefined
      ? { ttl_hours: parseBoundedInt('--ttl-hours', opts.ttlHours, 1, 24) }
      : {}),
    ...(opts.maxUses !== undefined
      ? { max_uses: parseBoundedInt('--max-uses', opts.maxUses, 1, 10) }
      : {}),
    ...(opts.site !== undefined ? { site_id: opts.site } : {}),
  };
  const res = await (
    await ctx.client()
  ).send('POST', '/api/admin/enrollment-codes', InstallerCodeSchema, body);
  if (ctx.json) {
    ctx.output.out(formatJson(res.raw));
    return;
  }
  const c = res.data;
  ctx.output.out('Created installer code.\n');
  ctx.output.out(
    formatDetails([
      ['ID', c.id],
      ['Code', c.code],
      ['Site', c.site_name ?? c.site_id ?? 'any'],
      ['Max uses', c.max_uses],
      ['Expires', formatTime(c.expires_at)],
    ]),
  );
}

async function remove(ctx: CliContext, id: string): Promise<void> {
  const res = await (
    await ctx.client()
  ).send('DELETE', `/api/admin/enrollment-codes/${encodeURIComponent(id)}`, StatusOkSchema);
  printResult(ctx.output, ctx.json, res.raw, `Deleted installer code ${id}.`);
}

export function registerCodeCommands(program: Command, io: CliIo): void {
  const codes = program.command('codes').description('manage expiring installer codes (admin)');

  codes
    .command('list')
    .description('list installer codes')
    .option('--status <status>', `only codes that are ${INSTALLER_CODE_STATUSES.join('|')}`)
    .action(async (opts: { status?: string }, cmd: Command) => list(CliContext.of(io, cmd), opts));

  codes
    .command('create')
    .description('create an installer code')
    .option('--ttl-hours <n>', 'hours until it expires, 1-24 (default 24)')
    .option('--max-uses <n>', 'enrollments it allows, 1-10 (default 2)')
    .option('--site <id>', 'enroll devices into this site')
    .action(async (opts: CreateOptions, cmd: Command) => create(CliContext.of(io, cmd), opts));

  codes
    .command('delete <id>')
    .description('delete an unused installer code')
    .action(async (id: string, _opts: unknown, cmd: Command) => remove(CliContext.of(io, cmd), id));
}
