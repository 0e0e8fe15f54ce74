// Credentials store: named secrets (password, token, SSH key) for credential variables. Secrets
// are sealed with the engine secret (purpose "credential"), never returned or logged; only the
// dispatcher reads them back, through resolveSecret(). Serves /api/credentials* (admin).
import crypto from 'node:crypto';
import type {
  Credential,
  CredentialCreate,
  CredentialType,
  CredentialUpdate,
} from '@borealis/protocol';
import type {
  CredentialPatch,
  CredentialRepository,
  CredentialRow,
} from '../db/repositories/credential.repository.js';
import { AppError, badRequest, conflict, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';

export const CREDENTIAL_PURPOSE = 'credential';

/** The part of SecretBox this service needs. */
export interface Sealer {
  encrypt(plaintext: string, purpose: string): string;
  decrypt(sealed: string, purpose: string): string;
}

export interface CredentialServiceDeps {
  repo: CredentialRepository;
  secrets: Sealer;
  clock: Clock;
  log: Logger;
}

export function toCredential(r: CredentialRow): Credential {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    credential_type: r.credential_type as CredentialType,
    username: r.username,
    site_id: r.site_id,
    has_secret: true,
    created_by: r.created_by,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

const notFoundErr = (id: string) =>
  notFound('credential_not_found', `No credential with id ${id}.`);
const existsErr = (name: string) =>
  conflict('credential_exists', `A credential named "${name}" already exists.`);

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

export class CredentialService {
  constructor(private readonly d: CredentialServiceDeps) {}

  async list(): Promise<Credential[]> {
    return (await this.d.repo.list()).map(toCredential);
  }

  async get(id: string): Promise<Credential> {
    const row = await this.d.repo.findById(id);
    if (!row) throw notFoundErr(id);
    return toCredential(row);
  }

  async create(input: CredentialCreate, createdBy: string): Promise<Credential> {
    const name = input.name.trim();
    if (await this.d.repo.findByName(name)) throw existsErr(name);
    if (input.site_id) await this.assertSite(input.site_id);
    const now = this.d.clock.now();
    const id = crypto.randomUUID();
    try {
      await this.d.repo.insert({
        id,
        name,
        description: input.description,
        credential_type: input.credential_type,
        username: input.username?.trim() || null,
        secret_enc: this.d.secrets.encrypt(input.secret, CREDENTIAL_PURPOSE),
        site_id: input.site_id ?? null,
        created_by: createdBy,
        created_at: now,
        updated_at: now,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw existsErr(name);
      throw err;
    }
    this.d.log.info(`credential ${id} (${input.credential_type}) created by ${createdBy}`);
    return this.get(id);
  }

  /** Changes the given fields; `secret` replaces the stored one only when present. */
  async update(id: string, input: CredentialUpdate, by: string): Promise<Credential> {
    const patch: CredentialPatch = { updated_at: this.d.clock.now() };
    if (input.name !== undefined) {
      const name = input.name.trim();
      const holder = await this.d.repo.findByName(name);
      if (holder && holder.id !== id) throw existsErr(name);
      patch.name = name;
    }
    if (input.description !== undefined) patch.description = input.description;
    if (input.credential_type !== undefined) patch.credential_type = input.credential_type;
    if (input.username !== undefined) patch.username = input.username?.trim() || null;
    if (input.site_id !== undefined) {
      if (input.site_id) await this.assertSite(input.site_id);
      patch.site_id = input.site_id;
    }
    if (input.secret !== undefined) {
      patch.secret_enc = this.d.secrets.encrypt(input.secret, CREDENTIAL_PURPOSE);
    }
    let updated: boolean;
    try {
      updated = await this.d.repo.update(id, patch);
    } catch (err) {
      if (isUniqueViolation(err) && patch.name !== undefined) throw existsErr(patch.name);
      throw err;
    }
    if (!updated) throw notFoundErr(id);
    this.d.log.info(
      `credential ${id} updated by ${by}${input.secret !== undefined ? ' (secret replaced)' : ''}`,
    );
    return this.get(id);
  }

  async delete(id: string, by: string): Promise<void> {
    if (!(await this.d.repo.delete(id))) throw notFoundErr(id);
    this.d.log.info(`credential ${id} deleted by ${by}`);
  }

  /**
   * The decrypted secret, for the dispatcher only (it goes into a signed job envelope and nowhere
   * else). 404 credential_not_found; a secret sealed under another engine key is a 500.
   */
  async resolveSecret(id: string): Promise<string> {
    const sealed = await this.d.repo.findSealedSecret(id);
    if (sealed === null) throw notFoundErr(id);
    try {
      return this.d.secrets.decrypt(sealed, CREDENTIAL_PURPOSE);
    } catch {
      this.d.log.error(`credential ${id} cannot be decrypted (engine secret key changed?)`);
      throw new AppError(500, 'credential_unreadable', `Credential ${id} cannot be decrypted.`);
    }
  }

  private async assertSite(siteId: string): Promise<void> {
    if (!(await this.d.repo.siteExists(siteId))) {
      throw badRequest('site_not_found', `No site with id ${siteId}.`, 'site_id');
    }
  }
}
