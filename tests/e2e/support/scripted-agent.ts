// A scripted agent speaking the wire protocol to a real engine process over HTTPS: an Ed25519
// identity, POST /api/agent/enroll/request and /poll with the enrollment proof, then
// DPoP-bound POST /api/agent/heartbeat and /api/agent/details. Lets an e2e suite enroll a device
// whose reported strings (hostname, OS, package names, …) are chosen by the test.
import crypto from 'node:crypto';
import {
  accessTokenHash,
  createDpopProof,
  enrollmentProofMessage,
  signEd25519,
  spkiFingerprint,
  spkiOf,
} from '@borealis/protocol/crypto';
import {
  httpsJson,
  type EngineProcess,
  type JsonResponse,
} from '../../../packages/engine/test/support/engine-process.js';

export interface ScriptedTokens {
  guid: string;
  access: string;
  refresh: string;
}

export class ScriptedAgent {
  readonly key = crypto.generateKeyPairSync('ed25519').privateKey;
  readonly spki = spkiOf(this.key);
  readonly fingerprint = spkiFingerprint(this.spki);
  private readonly clientNonce = crypto.randomBytes(32);
  private reference = '';
  private serverNonce = Buffer.alloc(0);
  tokens: ScriptedTokens | null = null;

  constructor(
    private readonly engine: EngineProcess,
    readonly hostname: string,
  ) {}

  /** POST /api/agent/enroll/request; throws unless the engine answers 200 pending. */
  async request(code: string): Promise<void> {
    const res = await httpsJson(this.engine, 'POST', '/api/agent/enroll/request', {
      hostname: this.hostname,
      enrollment_code: code,
      agent_pubkey: this.spki.toString('base64'),
      client_nonce: this.clientNonce.toString('base64'),
    });
    if (res.status !== 200 || res.body?.status !== 'pending') {
      throw new Error(`enroll/request answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    this.reference = res.body.approval_reference;
    this.serverNonce = Buffer.from(res.body.server_nonce, 'base64');
  }

  /** POST /api/agent/enroll/poll with the proof; keeps the tokens of an approved answer. */
  async poll(): Promise<JsonResponse> {
    const msg = enrollmentProofMessage(this.serverNonce, this.reference, this.clientNonce);
    const res = await httpsJson(this.engine, 'POST', '/api/agent/enroll/poll', {
      approval_reference: this.reference,
      client_nonce: this.clientNonce.toString('base64'),
      proof_sig: signEd25519(this.key, msg).toString('base64'),
    });
    if (res.status === 200 && res.body?.status === 'approved') {
      this.tokens = {
        guid: res.body.guid,
        access: res.body.access_token,
        refresh: res.body.refresh_token,
      };
    }
    return res;
  }

  /** A device-authenticated POST (Authorization: DPoP <token>, DPoP: <proof>). */
  async post(path: string, body: unknown): Promise<JsonResponse> {
    const tokens = this.tokens;
    if (!tokens) throw new Error('the scripted agent has no tokens yet');
    const proof = createDpopProof(this.key, {
      htm: 'POST',
      htu: `${this.engine.url}${path}`,
      iat: Math.floor(Date.now() / 1000),
      jti: crypto.randomUUID(),
      ath: accessTokenHash(tokens.access),
    });
    return httpsJson(this.engine, 'POST', path, body, {
      authorization: `DPoP ${tokens.access}`,
      dpop: proof,
    });
  }

  async heartbeat(metrics: Record<string, unknown>): Promise<void> {
    const res = await this.post('/api/agent/heartbeat', {
      guid: this.tokens?.guid,
      hostname: this.hostname,
      metrics,
      agent_role_health: { device_audit: { status: 'ok' } },
    });
    if (res.status !== 200)
      throw new Error(`heartbeat answered ${res.status}: ${JSON.stringify(res.body)}`);
  }

  async details(details: Record<string, unknown>): Promise<void> {
    const res = await this.post('/api/agent/details', {
      guid: this.tokens?.guid,
      hostname: this.hostname,
      details,
    });
    if (res.status !== 200)
      throw new Error(`details answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
}
