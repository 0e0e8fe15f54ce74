// Assemblies (reference §2.5, §7): list/get/create/update/delete/clone/import/export, with the
// domain rule (user: any Operator; official and community: an Admin in Dev Mode, logged to
// assemblies.log) and the start-up sync of the shipped official documents by guid + checksum.
// Serves /api/assemblies* through http/assemblies.routes.ts; the dispatcher calls get().
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  AssemblyPayloadSchema,
  type Assembly,
  type AssemblyClone,
  type AssemblyCreate,
  type AssemblyDomain,
  type AssemblyExport,
  type AssemblyImportQuery,
  type AssemblyListQuery,
  type AssemblySummary,
  type AssemblyUpdate,
  type OfficialSyncResult,
} from '@borealis/protocol';
import type { AssemblyRepository, AssemblyRow } from '../db/repositories/assembly.repository.js';
import { badRequest, conflict, forbidden, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import {
  checksumOf,
  normalizeContent,
  toRaw,
  type AssemblyContent,
  type RawContent,
} from './assembly-content.js';
import {
  fromExport,
  fromLegacy,
  fromOfficialFile,
  isExportDocument,
  toExport,
} from './assembly-documents.js';
import type { Actor, DevModeService } from './dev-mode.service.js';

export interface AssemblyServiceDeps {
  repo: AssemblyRepository;
  devMode: DevModeService;
  clock: Clock;
  log: Logger;
  /** Folder of the shipped official documents (*.json). */
  officialDir: string;
}

/** Path segments of static routes under /api/assemblies/ that a guid would shadow. */
const RESERVED_GUIDS = new Set(['dev-mode']);
const notFoundErr = (guid: string) => notFound('assembly_not_found', `No assembly ${guid}.`);
const existsErr = (guid: string) => conflict('assembly_exists', `Assembly ${guid} already exists.`);

/** A concurrent insert of the same guid (primary key) on better-sqlite3 or pg. */
function isKeyViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === '23505'
  );
}

export function toAssembly(r: AssemblyRow): Assembly {
  return {
    assembly_guid: r.assembly_guid,
    domain: r.domain as AssemblyDomain,
    display_name: r.display_name,
    summary: r.summary,
    category: r.category,
    assembly_kind: r.assembly_kind as Assembly['assembly_kind'],
    assembly_type: r.assembly_type as Assembly['assembly_type'],
    version: r.version,
    tags: JSON.parse(r.tags_json) as string[],
    checksum: r.checksum,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
    payload: AssemblyPayloadSchema.parse(JSON.parse(r.payload_json)),
  };
}

function toSummary(a: Assembly): AssemblySummary {
  const { payload, ...meta } = a;
  return {
    ...meta,
    variables: payload.variables,
    timeout_seconds: payload.timeout_seconds,
    file_count: payload.files.length,
  };
}

function contentColumns(c: AssemblyContent) {
  return {
    display_name: c.display_name,
    summary: c.summary,
    category: c.category,
    assembly_kind: c.assembly_kind,
    assembly_type: c.assembly_type,
    payload_json: JSON.stringify(c.payload),
    tags_json: JSON.stringify(c.tags),
    checksum: checksumOf(c),
  };
}

function contentOf(a: Assembly): AssemblyContent {
  return {
    display_name: a.display_name,
    summary: a.summary,
    category: a.category,
    assembly_kind: a.assembly_kind,
    assembly_type: a.assembly_type,
    tags: a.tags,
    payload: a.payload,
  };
}

export class AssemblyService {
  constructor(private readonly d: AssemblyServiceDeps) {}

  async list(q: AssemblyListQuery = {}): Promise<AssemblySummary[]> {
    const rows = await this.d.repo.list({ domain: q.domain, kind: q.kind });
    return rows.map((r) => toSummary(toAssembly(r)));
  }

  /** The full assembly with its script as plain UTF-8 text; 404 assembly_not_found. */
  async get(guid: string): Promise<Assembly> {
    const row = await this.d.repo.findByGuid(guid);
    if (!row) throw notFoundErr(guid);
    return toAssembly(row);
  }

  async create(input: AssemblyCreate, actor: Actor): Promise<Assembly> {
    this.assertWritable(input.domain, actor);
    const content = normalizeContent(input);
    const guid = await this.insert(input.domain, input.assembly_guid, content, actor.username);
    this.noteWrite(input.domain, actor, `created ${guid}`);
    return this.get(guid);
  }

  /** Applies the given fields over the stored content, re-validates, bumps version and checksum. */
  async update(guid: string, input: AssemblyUpdate, actor: Actor): Promise<Assembly> {
    const current = await this.get(guid);
    this.assertWritable(current.domain, actor);
    const base = toRaw(contentOf(current));
    const merged: RawContent = {
      display_name: input.display_name ?? base.display_name,
      summary: input.summary ?? base.summary,
      category: input.category ?? base.category,
      assembly_kind: input.assembly_kind ?? base.assembly_kind,
      assembly_type: input.assembly_type ?? base.assembly_type,
      script: input.script ?? base.script,
      script_encoding: input.script === undefined ? 'plain' : input.script_encoding,
      variables: input.variables ?? base.variables,
      files: input.files ?? base.files,
      timeout_seconds: input.timeout_seconds ?? base.timeout_seconds,
      tags: input.tags ?? base.tags,
      definition: input.definition === null ? undefined : (input.definition ?? base.definition),
    };
    const content = normalizeContent(merged);
    const ok = await this.d.repo.updateIfVersion(guid, current.version, {
      ...contentColumns(content),
      version: current.version + 1,
      updated_at: this.d.clock.now(),
    });
    if (!ok) {
      if (!(await this.d.repo.findByGuid(guid))) throw notFoundErr(guid);
      throw conflict('assembly_modified', 'The assembly changed meanwhile; reload and retry.');
    }
    this.noteWrite(current.domain, actor, `updated ${guid} to version ${current.version + 1}`);
    return this.get(guid);
  }

  async delete(guid: string, actor: Actor): Promise<void> {
    const current = await this.get(guid);
    this.assertWritable(current.domain, actor);
    if (!(await this.d.repo.delete(guid))) throw notFoundErr(guid);
    this.noteWrite(current.domain, actor, `deleted ${guid}`);
  }

  /** Copies any readable assembly into `target_domain` (write rule of the target) as version 1. */
  async clone(guid: string, input: AssemblyClone, actor: Actor): Promise<Assembly> {
    const source = await this.get(guid);
    this.assertWritable(input.target_domain, actor);
    const newGuid = await this.insert(
      input.target_domain,
      input.new_assembly_guid,
      contentOf(source),
      actor.username,
    );
    this.noteWrite(input.target_domain, actor, `cloned ${guid} as ${newGuid}`);
    return this.get(newGuid);
  }

  /**
   * Imports our export format or the reference's legacy JSON into `q.domain` (default user). The
   * guid is `q.assembly_guid`, else the document's own, else a new one; a taken guid is a 409.
   */
  async import(doc: unknown, q: AssemblyImportQuery, actor: Actor): Promise<Assembly> {
    this.assertWritable(q.domain, actor);
    const imported = isExportDocument(doc) ? fromExport(doc) : fromLegacy(doc);
    const content = normalizeContent(imported.content);
    const guid = await this.insert(
      q.domain,
      q.assembly_guid ?? imported.guid,
      content,
      actor.username,
    );
    this.noteWrite(q.domain, actor, `imported ${guid}`);
    return this.get(guid);
  }

  async export(guid: string): Promise<AssemblyExport> {
    return toExport(await this.get(guid), this.d.clock.now());
  }

  /**
   * Loads every shipped official document: inserts new guids, updates official rows whose checksum
   * differs (version + 1), leaves equal ones alone and never touches community or user rows.
   */
  async syncOfficial(): Promise<OfficialSyncResult> {
    const result: OfficialSyncResult = {
      inserted: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      invalid: 0,
    };
    let names: string[];
    try {
      names = fs.readdirSync(this.d.officialDir).filter((n) => n.endsWith('.json'));
    } catch (err) {
      this.d.log.warn(`official assemblies folder unreadable: ${String(err)}`);
      return result;
    }
    for (const name of names.sort()) {
      let doc: { guid: string; content: AssemblyContent };
      try {
        const parsed = fromOfficialFile(
          JSON.parse(fs.readFileSync(path.join(this.d.officialDir, name), 'utf8')),
        );
        doc = { guid: parsed.guid, content: normalizeContent(parsed.content) };
      } catch (err) {
        result.invalid += 1;
        this.d.log.error(`official assembly ${name} rejected: ${(err as Error).message}`);
        continue;
      }
      await this.syncOne(name, doc, result);
    }
    this.d.log.info(
      `official sync: ${result.inserted} inserted, ${result.updated} updated, ` +
        `${result.unchanged} unchanged, ${result.skipped} skipped, ${result.invalid} invalid`,
    );
    return result;
  }

  private async syncOne(
    name: string,
    doc: { guid: string; content: AssemblyContent },
    result: OfficialSyncResult,
  ): Promise<void> {
    const row = await this.d.repo.findByGuid(doc.guid);
    const columns = contentColumns(doc.content);
    if (!row) {
      await this.insert('official', doc.guid, doc.content, 'system');
      result.inserted += 1;
    } else if (row.domain !== 'official') {
      result.skipped += 1;
      this.d.log.warn(`official assembly ${name}: guid ${doc.guid} is a ${row.domain} assembly`);
    } else if (row.checksum === columns.checksum) {
      result.unchanged += 1;
    } else {
      await this.d.repo.update(doc.guid, {
        ...columns,
        version: row.version + 1,
        updated_at: this.d.clock.now(),
      });
      result.updated += 1;
    }
  }

  /** User: any Operator. Official and community: an Admin with Dev Mode on. */
  private assertWritable(domain: AssemblyDomain, actor: Actor): void {
    if (domain === 'user') return;
    if (actor.role === 'Admin' && this.d.devMode.isEnabled(actor.username)) return;
    throw forbidden(
      'dev_mode_required',
      `Writing to the ${domain} domain needs an Admin with Dev Mode switched on.`,
    );
  }

  private noteWrite(domain: AssemblyDomain, actor: Actor, what: string): void {
    const line = `${domain} assembly ${what} by ${actor.username}`;
    if (domain === 'user') this.d.log.debug(line);
    else this.d.log.info(`${line} (dev mode)`);
  }

  private async insert(
    domain: AssemblyDomain,
    requested: string | undefined,
    content: AssemblyContent,
    createdBy: string,
  ): Promise<string> {
    const guid = requested ?? crypto.randomUUID();
    if (RESERVED_GUIDS.has(guid.toLowerCase())) {
      throw badRequest('invalid_request', `"${guid}" is reserved by the API.`, 'assembly_guid');
    }
    if (await this.d.repo.findByGuid(guid)) throw existsErr(guid);
    const now = this.d.clock.now();
    try {
      await this.d.repo.insert({
        assembly_guid: guid,
        domain,
        ...contentColumns(content),
        version: 1,
        created_by: createdBy,
        created_at: now,
        updated_at: now,
      });
    } catch (err) {
      if (isKeyViolation(err)) throw existsErr(guid);
      throw err;
    }
    return guid;
  }
}
