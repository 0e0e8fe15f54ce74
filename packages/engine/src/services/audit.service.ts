// Audit: one append-only row per mutating operator request (who, what, target, when, source IP,
// outcome). Written after the response, so a failed audit write never changes the reply.
import crypto from 'node:crypto';
import type { AuditQuery } from '@borealis/protocol';
import type { AuditRepository } from '../db/repositories/audit.repository.js';
import type { Clock } from '../logging/clock.js';

export interface AuditRecord {
  username: string | null;
  auth: string | null;
  action: string;
  method: string;
  path: string;
  target: string | null;
  sourceIp: string;
  statusCode: number;
}

export function outcomeOf(status: number): 'success' | 'failure' | 'denied' {
  if (status < 400) return 'success';
  if (status === 401 || status === 403) return 'denied';
  return 'failure';
}

export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async record(r: AuditRecord): Promise<void> {
    await this.repo.insert({
      id: crypto.randomUUID(),
      ts: this.clock.now(),
      username: r.username,
      auth: r.auth,
      action: r.action,
      method: r.method,
      path: r.path,
      target: r.target,
      source_ip: r.sourceIp,
      outcome: outcomeOf(r.statusCode),
      status_code: r.statusCode,
    });
  }

  page(q: AuditQuery) {
    return this.repo.page(q);
  }
}
