// `borealis sites …`: sites and their static enrollment codes (list: viewer; changes: admin).
// Endpoints: GET /api/sites, POST /api/sites, POST /api/sites/rename, POST /api/sites/delete,
// POST /api/sites/rotate_code.
import type { Command } from 'commander';
import { SiteDeleteResultSchema, SiteListSchema, SiteSchema, type Site } from '@borealis/protocol';
import { CliContext, type CliIo } from '../cli-context.js';
import {
  formatDetails,
  formatJson,
  formatTime,
  printList,
  printResult,
  type Column,
} from '../output.js';

const SITE_COLUMNS: Column<Site>[] = [
  { header: 'ID', value: (s) => s.id },
  { header: 'Name', value: (s) => s.name },
  { header: 'Devices', value: (s) => s.device_count, align: 'right' },
  { header: 'Enrollment code', value: (s) => s.enrollment_code },
  { header: 'Created', value: (s) => formatTime(s.created_at) },
  { header: 'Description', value: (s) => s.description },
];

/** One site as a detail block (create, rename, rotate-code), or its raw JSON. */
function printSite(ctx: CliContext, raw: unknown, site: Site, headline: string): void {
  if (ctx.json) {
    ctx.output.out(formatJson(raw));
    return;
  }
  ctx.output.out(`${headline}\n`);
  ctx.output.out(
    formatDetails([
      ['ID', site.id],
      ['Name', site.name],
      ['Description', site.description],
      ['Enrollment code', site.enrollment_code],
      ['Devices', site.device_count],
    ]),
  );
}

async function list(ctx: CliContext): Promise<void> {
  const res = await (await ctx.client()).get('/api/sites', SiteListSchema);
  printList(ctx.output, ctx.json, res.raw, res.data.sites, SITE_COLUMNS, 'No sites.');
}

async function create(
  ctx: CliContext,
  name: string,
  opts: { description?: string },
): Promise<void> {
  const res = await (
    await ctx.client()
  ).send('POST', '/api/sites', SiteSchema, {
    name,
    ...(opts.description !== undefined ? { description: opts.description } : {}),
  });
  printSite(ctx, res.raw, res.data, `Created site ${res.data.name}.`);
}

async function rename(ctx: CliContext, id: string, newName: string): Promise<void> {
  const res = await (
    await ctx.client()
  ).send('POST', '/api/sites/rename', SiteSchema, {
    id,
    new_name: newName,
  });
  printSite(ctx, res.raw, res.data, `Renamed site ${res.data.id} to ${res.data.name}.`);
}

async function remove(ctx: CliContext, ids: string[]): Promise<void> {
  const res = await (
    await ctx.client()
  ).send('POST', '/api/sites/delete', SiteDeleteResultSchema, {
    ids,
  });
  const n = res.data.deleted;
  printResult(ctx.output, ctx.json, res.raw, `Deleted ${n} site${n === 1 ? '' : 's'}.`);
}

async function rotateCode(ctx: CliContext, id: string): Promise<void> {
  const res = await (
    await ctx.client()
  ).send('POST', '/api/sites/rotate_code', SiteSchema, {
    site_id: id,
  });
  printSite(ctx, res.raw, res.data, `New enrollment code for ${res.data.name}.`);
}

export function registerSiteCommands(program: Command, io: CliIo): void {
  const sites = program.command('sites').description('manage sites and their enrollment codes');

  sites
    .command('list')
    .description('list sites with device counts and enrollment codes')
    .action(async (_opts: unknown, cmd: Command) => list(CliContext.of(io, cmd)));

  sites
    .command('create <name>')
    .description('create a site (an enrollment code is generated)')
    .option('--description <text>', 'what the site is for')
    .action(async (name: string, opts: { description?: string }, cmd: Command) =>
      create(CliContext.of(io, cmd), name, opts),
    );

  sites
    .command('rename <id> <new-name>')
    .description('rename a site')
    .action(async (id: string, newName: string, _opts: unknown, cmd: Command) =>
      rename(CliContext.of(io, cmd), id, newName),
    );

  sites
    .command('delete <id...>')
    .description('delete one or more sites')
    .action(async (ids: string[], _opts: unknown, cmd: Command) =>
      remove(CliContext.of(io, cmd), ids),
    );

  sites
    .command('rotate-code <id>')
    .description('replace the enrollment code of a site (the old one stops working)')
    .action(async (id: string, _opts: unknown, cmd: Command) =>
      rotateCode(CliContext.of(io, cmd), id),
    );
}
