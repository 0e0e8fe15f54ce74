// API keys for scripts and the CLI: `brl_` + 32 random bytes (base64url), shown once at creation,
// stored as SHA-256. A key acts as its creator with the key's role, capped at the creator's
// current role, and needs no CSRF token. Revoked keys stop working immediately.
import crypto from 'node:crypto';
import { ROLE_RANK, type ApiKey, type ApiKeyCreated, type Role } from '@borealis/protocol';
import type { ApiKeyRepository, ApiKeyRow } from '../db/repositories/api-key.repository.js';
import type { UserRepository } from '../db/repositories/user.repository.js';
import type { Principal } from '../http/auth-guard.js';
import { notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import { randomToken, sha256Hex } from '../security/secret-box.js';

export const API_KEY_PREFIX = 'brl_';
/** last_used_at is written at most this often per key. */
const TOUCH_INTERVAL_MS = 60_000;

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.prefix,
    created_by: row.created_by,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
  };
}

export class ApiKeyService {
  constructor(
    private readonly repo: ApiKeyRepository,
    private readonly users: UserRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async list(): Promise<ApiKey[]> {
    return (await this.repo.listActive()).map(toApiKey);
  }

  /** Mints a key; the returned `key` is the only time the secret is ever available. */
  async create(input: { name: string; role: Role; createdBy: string }): Promise<ApiKeyCreated> {
    const secret = randomToken(32);
    const key = `${API_KEY_PREFIX}${secret}`;
    const row: ApiKeyRow = {
      id: crypto.randomUUID(),
      name: input.name.trim(),
      role: input.role,
      prefix: secret.slice(0, 8),
      key_hash: sha256Hex(key),
      created_by: input.createdBy,
      created_at: this.clock.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.repo.insert(row);
    this.log.info(
      `API key ${row.prefix}… "${row.name}" (${row.role}) created by "${row.created_by}"`,
    );
    return { ...toApiKey(row), key };
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.repo.revoke(id, this.clock.now()))) {
      throw notFound('api_key_not_found', 'No active API key with that id.');
    }
    this.log.info(`API key ${id} revoked`);
  }

  /** Resolves `Authorization: Bearer <key>`; null for anything that is not a live key. */
  async authenticate(bearer: string): Promise<Principal | null> {
    if (!bearer.startsWith(API_KEY_PREFIX) || bearer.length > 256) return null;
    const row = await this.repo.findActiveByHash(sha256Hex(bearer));
    if (!row) return null;
    const creator = await this.users.findByUsername(row.created_by);
    if (!creator) return null;
    const keyRole = row.role as Role;
    const creatorRole = creator.role as Role;
    const role = ROLE_RANK[creatorRole] < ROLE_RANK[keyRole] ? creatorRole : keyRole;
    const now = this.clock.now();
    if (row.last_used_at === null || now - row.last_used_at >= TOUCH_INTERVAL_MS) {
      await this.repo.touch(row.id, now);
    }
    return {
      userId: creator.id,
      username: creator.username,
      displayName: creator.display_name,
      role,
      via: 'api_key',
      apiKeyId: row.id,
    };
  }
}
