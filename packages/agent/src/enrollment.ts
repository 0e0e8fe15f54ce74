// Enrollment (reference §5): POST /api/agent/enroll/request with hostname, installer code, public
// key and a 32-byte client nonce; then POST /api/agent/enroll/poll with the Ed25519 proof over
// server_nonce ‖ approval_reference ‖ client_nonce, every poll_after_ms (capped at 15 s), until
// the operator approves (tokens stored, installer code cleared), denies or the approval expires.
import crypto from 'node:crypto';
import {
  EnrollPendingSchema,
  EnrollPollResponseSchema,
  type EnrollPending,
} from '@borealis/protocol';
import { Backoff, sleep } from './backoff.js';
import type { SettingsStore } from './config.js';
import type { CredentialStore } from './credentials.js';
import { readText, writeFileAtomic } from './files.js';
import { errorFromResponse, type JsonResponse } from './http-client.js';
import type { Identity } from './identity.js';
import { errText, type Logger } from './logging/agent-log.js';
import { isTlsTrustFailure, type TrustManager } from './tls-trust.js';

export const ENROLL_REQUEST_PATH = '/api/agent/enroll/request';
export const ENROLL_POLL_PATH = '/api/agent/enroll/poll';
export const MAX_POLL_MS = 15_000;

export class StoppedError extends Error {
  constructor() {
    super('stopped');
    this.name = 'StoppedError';
  }
}

export interface EnrollerOptions {
  request: (method: string, path: string, body: unknown) => Promise<JsonResponse>;
  identity: Identity;
  store: CredentialStore;
  settings: SettingsStore;
  trust: TrustManager;
  signingKeyFile: string;
  hostname: string;
  /** The installer code to use now (command line / environment first, then settings). */
  code: () => string | undefined;
  log: Logger;
  signal: AbortSignal;
  /** Back-off between failed attempts (tests shrink it). */
  retry?: Backoff;
  minPollMs?: number;
}

type PollOutcome = 'approved' | 'restart' | 'slow';

export class Enroller {
  private readonly retry: Backoff;

  constructor(private readonly o: EnrollerOptions) {
    this.retry = o.retry ?? new Backoff({ baseMs: 5_000, capMs: 5 * 60_000, floorMs: 2_000 });
  }

  /** Runs until this machine holds device tokens; throws StoppedError when the agent stops. */
  async enroll(): Promise<void> {
    const { log } = this.o;
    for (;;) {
      if (this.o.signal.aborted) throw new StoppedError();
      const code = this.o.code();
      if (!code) {
        log.error(
          'not enrolled and no installer code: pass --installer-code or set installer_code in agent_settings.json; retrying later',
        );
        await this.pause(this.retry.next());
        continue;
      }
      let pending: EnrollPending | null = null;
      const clientNonce = crypto.randomBytes(32);
      try {
        pending = await this.requestApproval(code, clientNonce);
      } catch (err) {
        log.warn(
          isTlsTrustFailure(err)
            ? `enrollment request failed: the engine's certificate does not chain to the pinned CA (${errText(err)}); not re-pinning`
            : `enrollment request failed: ${errText(err)}`,
        );
      }
      if (!pending) {
        await this.pause(this.retry.next());
        continue;
      }
      const outcome = await this.pollUntilDecided(pending, clientNonce);
      if (outcome === 'approved') {
        this.retry.reset();
        return;
      }
      await this.pause(outcome === 'slow' ? this.retry.next() : 1_000);
    }
  }

  private async requestApproval(code: string, clientNonce: Buffer): Promise<EnrollPending | null> {
    const { identity, log, hostname } = this.o;
    const res = await this.o.request('POST', ENROLL_REQUEST_PATH, {
      hostname,
      enrollment_code: code,
      agent_pubkey: identity.publicKeyB64(),
      client_nonce: clientNonce.toString('base64'),
    });
    if (res.status === 429) {
      log.warn('enrollment rate-limited by the engine');
      await this.pause(res.retryAfterMs ?? 60_000);
      return null;
    }
    if (res.status !== 200) {
      const err = errorFromResponse(res, 'enrollment request');
      log.error(`enrollment request refused: ${err.code} (${err.message})`);
      return null;
    }
    const pending = EnrollPendingSchema.safeParse(res.body);
    if (!pending.success) {
      log.error('enrollment request: the engine answered with an unexpected body');
      return null;
    }
    this.o.trust.checkAnnouncedCa(pending.data.server_certificate);
    log.info(
      `enrollment requested (fingerprint ${identity.fingerprint.slice(0, 16)}…); waiting for operator approval, reference ${pending.data.approval_reference}`,
    );
    return pending.data;
  }

  private async pollUntilDecided(p: EnrollPending, clientNonce: Buffer): Promise<PollOutcome> {
    const { log } = this.o;
    const proof = this.o.identity.enrollmentProof(
      Buffer.from(p.server_nonce, 'base64'),
      p.approval_reference,
      clientNonce,
    );
    const body = {
      approval_reference: p.approval_reference,
      client_nonce: clientNonce.toString('base64'),
      proof_sig: proof,
    };
    let wait = p.poll_after_ms;
    const transport = new Backoff({ baseMs: 2_000, capMs: MAX_POLL_MS, floorMs: 1_000 });
    for (;;) {
      await this.pause(Math.min(MAX_POLL_MS, Math.max(this.o.minPollMs ?? 500, wait)));
      let res: JsonResponse;
      try {
        res = await this.o.request('POST', ENROLL_POLL_PATH, body);
      } catch (err) {
        log.warn(`enrollment poll failed: ${errText(err)}`);
        wait = transport.next();
        continue;
      }
      transport.reset();
      if (res.status === 429) {
        wait = res.retryAfterMs ?? MAX_POLL_MS;
        continue;
      }
      const parsed = res.status === 200 ? EnrollPollResponseSchema.safeParse(res.body) : null;
      if (!parsed?.success) {
        // A 200 we cannot use is e.g. {status:"approved", detail:"finalized"}: tokens went elsewhere.
        const why = parsed
          ? 'an answer without tokens'
          : (({ code, message }) => `${code} (${message})`)(
              errorFromResponse(res, 'enrollment poll'),
            );
        log.warn(`enrollment poll: ${why}; requesting approval again`);
        return 'slow';
      }
      const r = parsed.data;
      switch (r.status) {
        case 'pending':
          wait = r.poll_after_ms;
          continue;
        case 'denied':
          log.error(`enrollment denied by the engine (${r.reason}); will request again later`);
          return 'slow';
        case 'expired':
          log.warn('enrollment approval expired; requesting a new one');
          return 'restart';
        case 'approved':
          this.o.trust.checkAnnouncedCa(r.server_certificate);
          this.saveSigningKey(r.signing_key);
          this.o.store.saveEnrollment(r.guid, r);
          this.o.settings.update({ installer_code: undefined });
          log.info(`enrollment approved: this device is ${r.guid}`);
          return 'approved';
      }
    }
  }

  /** Keeps the engine's script-signing key (it arrived over the pinned TLS channel). */
  private saveSigningKey(b64: string): void {
    const previous = readText(this.o.signingKeyFile);
    if (previous === b64) return;
    if (previous)
      this.o.log.warn('the engine presented a new script-signing key; replacing the stored one');
    writeFileAtomic(this.o.signingKeyFile, `${b64}\n`, { mode: 0o644 });
  }

  private async pause(ms: number): Promise<void> {
    if (!(await sleep(ms, this.o.signal))) throw new StoppedError();
  }
}
