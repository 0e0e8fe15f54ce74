// Agent enrollment (reference §5): POST /api/agent/enroll/request checks the code (a site code or
// an installer code), opens or reuses the key's pending approval with fresh nonces and answers
// with the CA to pin and the script-signing key; POST /api/agent/enroll/poll verifies the Ed25519
// proof over server_nonce ‖ approval_reference ‖ client_nonce on every poll and, once approved,
// finalises exactly once in a transaction (device row, key, installer-code use, tokens).
import crypto, { type KeyObject } from 'node:crypto';
import {
  ACCESS_TOKEN_TTL_SECONDS,
  type EnrollPending,
  type EnrollPollRequest,
  type EnrollPollResponse,
  type EnrollRequest,
} from '@borealis/protocol';
import {
  decodeB64,
  ed25519Jwk,
  enrollmentProofMessage,
  jwkThumbprint,
  publicKeyFromSpki,
  spkiFingerprint,
  spkiOf,
  verifyEd25519,
} from '@borealis/protocol/crypto';
import type { ApprovalRow } from '../db/repositories/approval.repository.js';
import type {
  DeviceTrustRepository,
  TrustStore,
} from '../db/repositories/device-trust.repository.js';
import { isUniqueViolation } from '../db/repositories/site.repository.js';
import { AppError, badRequest, conflict } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type { EngineKeys } from '../security/engine-keys.js';
import { SlidingWindowLimiter } from '../security/rate-limit.js';
import { SPENT_TOKEN_RETENTION_MS } from '../security/refresh-token.js';
import {
  alternateHostname,
  looksLikeId,
  noFreeHostname,
  type ApprovalService,
} from './approval.service.js';
import { rateLimited } from './device-auth.service.js';
import type { DeviceTokenService } from './device-token.service.js';
import type { EventSink } from './events.js';
import type { InstallerCodeService } from './installer-code.service.js';
import type { SiteService } from './site.service.js';

export const ENROLL_REQUESTS_PER_IP_PER_MINUTE = 40;
export const ENROLL_REQUESTS_PER_FINGERPRINT_PER_MINUTE = 12;
export const APPROVAL_TTL_MS = 24 * 3_600_000;
export const MIN_CLIENT_NONCE_BYTES = 16;
export const SERVER_NONCE_BYTES = 32;
/** poll_after_ms in the request answer, and in a pending poll answer. */
export const FIRST_POLL_AFTER_MS = 3000;
export const PENDING_POLL_AFTER_MS = 5000;

const REQUIRED_FIELDS = ['hostname', 'enrollment_code', 'agent_pubkey', 'client_nonce'] as const;

/** The reference's `<field>_required` error for the first absent or blank field of an object body. */
export function missingEnrollField(body: unknown): AppError | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  for (const field of REQUIRED_FIELDS) {
    const v = b[field];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      return badRequest(`${field}_required`, `${field} is required.`, field);
    }
  }
  return null;
}

const invalidCode = () =>
  badRequest(
    'invalid_enrollment_code',
    'The enrollment code is unknown, expired or used up.',
    'enrollment_code',
  );
const proofReplayed = () =>
  conflict('proof_replayed', 'This enrollment was already finalised; enroll again for new tokens.');

interface ResolvedCode {
  kind: 'site' | 'installer';
  installCodeId: string | null;
  siteId: string | null;
  autoApprove: boolean;
}

export interface EnrollmentDeps {
  store: TrustStore;
  sites: Pick<SiteService, 'findByEnrollmentCode' | 'get'>;
  installerCodes: Pick<InstallerCodeService, 'findUsable'>;
  approvals: ApprovalService;
  tokens: DeviceTokenService;
  keys: EngineKeys;
  events: EventSink;
  clock: Clock;
  log: Logger;
}

export class EnrollmentService {
  private readonly perIp: SlidingWindowLimiter;
  private readonly perKey: SlidingWindowLimiter;

  constructor(private readonly d: EnrollmentDeps) {
    const windowMs = 60_000;
    this.perIp = new SlidingWindowLimiter({
      limit: ENROLL_REQUESTS_PER_IP_PER_MINUTE,
      windowMs,
      clock: d.clock,
    });
    this.perKey = new SlidingWindowLimiter({
      limit: ENROLL_REQUESTS_PER_FINGERPRINT_PER_MINUTE,
      windowMs,
      clock: d.clock,
    });
  }

  /** Counts an enrollment request from `ip` (before its body is even looked at). */
  checkIpRate(ip: string): void {
    const r = this.perIp.hit(ip);
    if (!r.allowed) throw rateLimited(r.retryAfterSeconds);
  }

  async request(input: EnrollRequest, ip: string): Promise<EnrollPending> {
    const hostname = input.hostname.trim();
    // Control characters (NUL above all) are not part of any host name and break storage.
    if ([...hostname].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\x7f')) {
      throw badRequest(
        'invalid_hostname',
        'hostname must not contain control characters.',
        'hostname',
      );
    }
    const spkiIn = decodeB64(input.agent_pubkey.trim());
    let pub: KeyObject;
    try {
      if (!spkiIn) throw new Error('not base64');
      pub = publicKeyFromSpki(spkiIn);
    } catch {
      throw badRequest(
        'invalid_agent_pubkey',
        'agent_pubkey must be base64 SPKI DER of an Ed25519 key.',
        'agent_pubkey',
      );
    }
    const clientNonce = decodeB64(input.client_nonce.trim());
    if (!clientNonce || clientNonce.length < MIN_CLIENT_NONCE_BYTES) {
      throw badRequest(
        'invalid_client_nonce',
        `client_nonce must be base64 of at least ${MIN_CLIENT_NONCE_BYTES} random bytes.`,
        'client_nonce',
      );
    }
    const spki = spkiOf(pub);
    const fingerprint = spkiFingerprint(spki);
    const rate = this.perKey.hit(fingerprint);
    if (!rate.allowed) throw rateLimited(rate.retryAfterSeconds);
    const code = await this.resolveCode(input.enrollment_code);

    const now = this.d.clock.now();
    const serverNonce = crypto.randomBytes(SERVER_NONCE_BYTES);
    const fields = {
      hostname_claimed: hostname,
      agent_pubkey: spki.toString('base64'),
      code_kind: code.kind,
      install_code_id: code.installCodeId,
      site_id: code.siteId,
      client_nonce: clientNonce.toString('base64'),
      server_nonce: serverNonce.toString('base64'),
      source_ip: ip,
      updated_at: now,
      expires_at: now + APPROVAL_TTL_MS,
    };
    const { approvals } = this.d.store.repos;
    let row = await approvals.findOpenByFingerprint(fingerprint, now);
    if (row) {
      // An approved-but-unfinished request keeps its decision only for the same host and site.
      const same =
        row.hostname_claimed.toLowerCase() === hostname.toLowerCase() &&
        row.site_id === code.siteId;
      const reset =
        row.status === 'approved' && !same
          ? { status: 'pending', guid: null, approved_by: null, conflict_resolution: null }
          : {};
      if (!(await approvals.transition(row.id, [row.status], { ...fields, ...reset }))) row = null;
    }
    if (!row) {
      await approvals.insert({
        id: crypto.randomUUID(),
        approval_reference: crypto.randomUUID(),
        guid: null,
        ssl_key_fingerprint_claimed: fingerprint,
        status: 'pending',
        conflict_resolution: null,
        approved_by: null,
        created_at: now,
        finalized_at: null,
        ...fields,
      });
    }
    const current = (await approvals.findOpenByFingerprint(fingerprint, now))!;
    if (current.status === 'pending' && code.autoApprove)
      await this.d.approvals.tryAutoApprove(current);
    this.d.log.info(
      `enrollment request ${current.id} from ${ip}: host ${JSON.stringify(hostname)} key ${fingerprint.slice(0, 16)} (${code.kind} code)`,
    );
    return {
      status: 'pending',
      approval_reference: current.approval_reference,
      server_nonce: fields.server_nonce,
      poll_after_ms: FIRST_POLL_AFTER_MS,
      server_certificate: this.d.keys.serverCertificate(),
      signing_key: this.d.keys.signingKeyB64(),
    };
  }

  /** The poll answer, or null when the approval_reference is unknown (404 status "unknown"). */
  async poll(input: EnrollPollRequest): Promise<EnrollPollResponse | null> {
    const { approvals } = this.d.store.repos;
    const reference = input.approval_reference.trim();
    const row = looksLikeId(reference) ? await approvals.findByReference(reference) : null;
    if (!row) return null;
    const stored = Buffer.from(row.client_nonce, 'base64');
    const presented = decodeB64(input.client_nonce.trim());
    if (
      !presented ||
      presented.length !== stored.length ||
      !crypto.timingSafeEqual(presented, stored)
    ) {
      throw badRequest(
        'nonce_mismatch',
        'client_nonce differs from the one sent with the request.',
        'client_nonce',
      );
    }
    const sig = decodeB64(input.proof_sig.trim());
    if (!sig || sig.length !== 64) {
      throw badRequest(
        'invalid_proof_sig',
        'proof_sig must be a base64 Ed25519 signature (64 bytes).',
        'proof_sig',
      );
    }
    let pub: KeyObject;
    try {
      pub = publicKeyFromSpki(Buffer.from(row.agent_pubkey, 'base64'));
    } catch {
      throw badRequest('agent_pubkey_invalid', 'The stored agent key is unusable; enroll again.');
    }
    const message = enrollmentProofMessage(
      Buffer.from(row.server_nonce, 'base64'),
      row.approval_reference,
      stored,
    );
    if (!verifyEd25519(pub, message, sig)) {
      throw badRequest(
        'invalid_proof',
        'proof_sig does not verify with the enrolling key.',
        'proof_sig',
      );
    }

    const now = this.d.clock.now();
    const open = row.status === 'pending' || row.status === 'approved';
    if (open && row.expires_at <= now) {
      await approvals.transition(row.id, [row.status], { status: 'expired', updated_at: now });
      return { status: 'expired' };
    }
    switch (row.status) {
      case 'pending':
        return { status: 'pending', poll_after_ms: PENDING_POLL_AFTER_MS };
      case 'denied':
        return { status: 'denied', reason: 'operator_denied' };
      case 'approved':
        return this.finalize(row, pub);
      case 'completed':
        throw proofReplayed();
      default:
        return { status: 'expired' };
    }
  }

  private async resolveCode(raw: string): Promise<ResolvedCode> {
    const site = await this.d.sites.findByEnrollmentCode(raw);
    if (site) {
      return {
        kind: 'site',
        installCodeId: null,
        siteId: site.id,
        autoApprove: site.auto_approve === 1,
      };
    }
    const code = await this.d.installerCodes.findUsable(raw);
    if (!code) throw invalidCode();
    let autoApprove = false;
    if (code.site_id) {
      autoApprove = await this.d.sites.get(code.site_id).then(
        (s) => s.auto_approve,
        () => false,
      );
    }
    return { kind: 'installer', installCodeId: code.id, siteId: code.site_id, autoApprove };
  }

  /** Single-use: the approved → completed transition inside the transaction is the guard. */
  private async finalize(row: ApprovalRow, pub: KeyObject): Promise<EnrollPollResponse> {
    const now = this.d.clock.now();
    const guid = row.guid ?? crypto.randomUUID();
    const fingerprint = row.ssl_key_fingerprint_claimed;
    const jkt = jwkThumbprint(ed25519Jwk(pub));
    let outcome: {
      refreshToken: string;
      tokenVersion: number;
      keyChanged: boolean;
      hostname: string;
    };
    try {
      outcome = await this.d.store.transaction(async (r) => {
        const claimed = await r.approvals.transition(row.id, ['approved'], {
          status: 'completed',
          guid,
          finalized_at: now,
          updated_at: now,
        });
        if (!claimed) throw proofReplayed();
        if (
          row.install_code_id &&
          !(await r.installerCodes.recordUse(row.install_code_id, guid, now))
        ) {
          throw invalidCode();
        }
        const existing = await r.devices.findByGuid(guid);
        const hostname = await finalHostname(r.devices, row, guid);
        const keyChanged = Boolean(existing && existing.ssl_key_fingerprint !== fingerprint);
        if (existing) {
          await r.devices.updateEnrollment(guid, {
            hostname,
            site_id: row.site_id ?? existing.site_id,
            fingerprint,
            now,
            keyChanged,
          });
          if (keyChanged)
            await r.refreshTokens.revokeDevice(guid, now, now + SPENT_TOKEN_RETENTION_MS);
        } else {
          await r.devices.insert({
            guid,
            hostname,
            site_id: row.site_id,
            ssl_key_fingerprint: fingerprint,
            key_added_at: now,
            created_at: now,
          });
        }
        await r.keys.setCurrent({
          id: crypto.randomUUID(),
          guid,
          fingerprint,
          publicKey: row.agent_pubkey,
          now,
        });
        const refreshToken = await this.d.tokens.startFamily(r, guid, jkt);
        const device = await r.devices.findByGuid(guid);
        return { refreshToken, tokenVersion: device?.token_version ?? 1, keyChanged, hostname };
      });
    } catch (err) {
      // Another enrollment took the hostname between our check and insert: poll again.
      if (isUniqueViolation(err)) {
        throw conflict('hostname_conflict', 'The hostname was taken concurrently; poll again.');
      }
      throw err;
    }
    if (outcome.keyChanged) this.d.events.disconnectDevice(guid, 'token_version_mismatch');
    const access = await this.d.tokens.issueAccessToken({
      guid,
      fingerprint,
      tokenVersion: outcome.tokenVersion,
      jkt,
    });
    this.d.log.info(
      `enrollment ${row.id} finalised: device ${guid} (${JSON.stringify(outcome.hostname)})`,
    );
    return {
      status: 'approved',
      guid,
      access_token: access,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      token_type: 'DPoP',
      refresh_token: outcome.refreshToken,
      server_certificate: this.d.keys.serverCertificate(),
      signing_key: this.d.keys.signingKeyB64(),
    };
  }
}

/** The claimed hostname, or the first free `-N` form for coexist or when another device took it. */
async function finalHostname(
  devices: DeviceTrustRepository,
  row: ApprovalRow,
  guid: string,
): Promise<string> {
  const claimed = row.hostname_claimed;
  if (row.conflict_resolution !== 'coexist') {
    const holders = await devices.findByHostnames([claimed]);
    if (holders.every((d) => d.guid === guid)) return claimed;
  }
  const alternate = await alternateHostname(devices, claimed);
  if (!alternate) throw noFreeHostname(claimed);
  return alternate;
}
