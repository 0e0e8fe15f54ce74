// A small stand-in for the engine's agent surface, for agent unit tests: enrollment (proof
// checked), token refresh with rotation and reuse detection, heartbeat/details over REST, and
// the /agents Socket.IO namespace — every authenticated call verifies the DPoP proof for real.
// Jobs: a real Ed25519 script-signing key, `sendJob` (quick_job_run with its ack), `cancelJob`,
// and recorded quick_job_progress / quick_job_result (result ack configurable).
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  accessTokenHash,
  enrollmentProofMessage,
  ed25519Jwk,
  jwkThumbprint,
  publicKeyFromSpki,
  verifyEd25519,
} from '@borealis/protocol/crypto';
import type {
  QuickJobAck,
  QuickJobProgress,
  QuickJobResult,
  QuickJobRun,
} from '@borealis/protocol';
import { makeCa, startHttps, type TestCa, type TlsServer } from './tls-fixture.js';

export interface Call {
  path: string;
  body: any;
  headers: IncomingMessage['headers'];
}

export class FakeEngine {
  ca!: TestCa;
  tls!: TlsServer;
  io!: Server;
  approve = true;
  revoked = false;
  expiresIn = 900;
  guid = 'a1b2c3d4-0000-4000-8000-000000000001';
  heartbeatIntervalMs = 30_000;
  pubkey: string | null = null;
  jkt: string | null = null;
  pending: { reference: string; serverNonce: Buffer; clientNonce: string } | null = null;
  refreshToken: string | null = null;
  readonly rotated = new Set<string>();
  readonly accessTokens = new Set<string>();
  readonly calls: Call[] = [];
  readonly socketEvents: { event: string; payload: any }[] = [];
  readonly handshakes: { token: string; ok: boolean; why?: string }[] = [];
  readonly dpopFailures: string[] = [];
  private readonly jtis = new Set<string>();
  /** The script-signing key pair; agents get the public half (base64 SPKI DER) at enrollment. */
  readonly scriptKey = crypto.generateKeyPairSync('ed25519');
  readonly progress: QuickJobProgress[] = [];
  readonly results: QuickJobResult[] = [];
  /** How quick_job_result is answered: ack it, refuse it (for now / for good), or never answer. */
  resultAck: 'ok' | 'error' | 'unknown' | 'none' = 'ok';

  get signingKey(): string {
    return this.scriptKey.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  }

  get url(): string {
    return this.tls.url;
  }

  static async start(ca = makeCa('Fake Engine CA'), port = 0): Promise<FakeEngine> {
    const e = new FakeEngine();
    e.ca = ca;
    e.tls = await startHttps(ca, (req, res) => void e.handle(req, res), port);
    e.io = new Server(e.tls.server, { transports: ['websocket'] });
    e.attachSockets();
    return e;
  }

  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => void this.io.close(() => resolve()));
    await this.tls.close().catch(() => undefined);
  }

  callsTo(path: string): Call[] {
    return this.calls.filter((c) => c.path === path);
  }

  /** Checks a DPoP proof as the engine would; returns the reason when it is not acceptable. */
  checkDpop(proof: unknown, htm: string, htu: string, token?: string): string | null {
    if (typeof proof !== 'string') return 'dpop_missing';
    const [h, p, s] = proof.split('.');
    if (!h || !p || !s) return 'dpop_malformed';
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const key = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
    if (header.typ !== 'dpop+jwt' || header.alg !== 'EdDSA') return 'dpop_header';
    if (!crypto.verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')))
      return 'dpop_signature';
    if (jwkThumbprint(header.jwk) !== this.jkt) return 'dpop_wrong_key';
    if (claims.htm !== htm) return `dpop_htm ${claims.htm}`;
    if (claims.htu !== htu) return `dpop_htu ${claims.htu} != ${htu}`;
    if (Math.abs(claims.iat - Date.now() / 1000) > 300) return 'dpop_iat';
    if (token !== undefined && claims.ath !== accessTokenHash(token)) return 'dpop_ath';
    if (token === undefined && claims.ath !== undefined) return 'dpop_unexpected_ath';
    if (this.jtis.has(claims.jti)) return 'dpop_replayed';
    this.jtis.add(claims.jti);
    return null;
  }

  private issue(): {
    access_token: string;
    expires_in: number;
    token_type: 'DPoP';
    refresh_token: string;
  } {
    const access = `acc-${crypto.randomBytes(12).toString('hex')}`;
    const refresh = `ref-${crypto.randomBytes(24).toString('base64url')}`;
    this.accessTokens.add(access);
    if (this.refreshToken) this.rotated.add(this.refreshToken);
    this.refreshToken = refresh;
    return {
      access_token: access,
      expires_in: this.expiresIn,
      token_type: 'DPoP',
      refresh_token: refresh,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body = text ? JSON.parse(text) : null;
    const path = (req.url ?? '').split('?')[0]!;
    this.calls.push({ path, body, headers: req.headers });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const htu = `https://${req.headers.host}${path}`;
    switch (path) {
      case '/api/agent/enroll/request': {
        this.pubkey = body.agent_pubkey;
        this.jkt = jwkThumbprint(
          ed25519Jwk(publicKeyFromSpki(Buffer.from(body.agent_pubkey, 'base64'))),
        );
        this.pending = {
          reference: crypto.randomUUID(),
          serverNonce: crypto.randomBytes(32),
          clientNonce: body.client_nonce,
        };
        return send(200, {
          status: 'pending',
          approval_reference: this.pending.reference,
          server_nonce: this.pending.serverNonce.toString('base64'),
          poll_after_ms: 10,
          server_certificate: this.ca.caPem,
          signing_key: this.signingKey,
        });
      }
      case '/api/agent/enroll/poll': {
        const p = this.pending;
        if (!p || body.approval_reference !== p.reference) return send(404, { status: 'unknown' });
        if (body.client_nonce !== p.clientNonce)
          return send(400, { error: 'nonce_mismatch', message: 'nonce' });
        const msg = enrollmentProofMessage(
          p.serverNonce,
          p.reference,
          Buffer.from(p.clientNonce, 'base64'),
        );
        const key = publicKeyFromSpki(Buffer.from(this.pubkey!, 'base64'));
        if (!verifyEd25519(key, msg, Buffer.from(body.proof_sig, 'base64'))) {
          return send(400, { error: 'invalid_proof', message: 'bad proof' });
        }
        if (!this.approve) return send(200, { status: 'pending', poll_after_ms: 10 });
        this.revoked = false;
        return send(200, {
          status: 'approved',
          guid: this.guid,
          ...this.issue(),
          server_certificate: this.ca.caPem,
          signing_key: this.signingKey,
        });
      }
      case '/api/agent/token/refresh': {
        const why = this.checkDpop(req.headers.dpop, 'POST', htu);
        if (why) {
          this.dpopFailures.push(why);
          return send(400, { error: 'dpop_invalid', message: why });
        }
        if (this.revoked) return send(403, { error: 'device_revoked', message: 'revoked' });
        if (this.rotated.has(body.refresh_token)) {
          this.refreshToken = null;
          return send(401, { error: 'refresh_token_reused', message: 'reused' });
        }
        if (body.refresh_token !== this.refreshToken)
          return send(401, { error: 'invalid_refresh_token', message: 'no' });
        return send(200, this.issue());
      }
      case '/api/agent/heartbeat':
      case '/api/agent/details': {
        const token = /^DPoP (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!token || !this.accessTokens.has(token))
          return send(401, { error: 'token_expired', message: 'expired' });
        if (this.revoked) return send(403, { error: 'device_revoked', message: 'revoked' });
        const why = this.checkDpop(req.headers.dpop, 'POST', htu, token);
        if (why) {
          this.dpopFailures.push(why);
          return send(400, { error: 'dpop_invalid', message: why });
        }
        return send(
          200,
          path.endsWith('heartbeat') ? { status: 'ok', poll_after_ms: 15000 } : { status: 'ok' },
        );
      }
      default:
        return send(404, { error: 'not_found', message: path });
    }
  }

  private attachSockets(): void {
    const nsp = this.io.of('/agents');
    nsp.use((socket, next) => {
      const { token, dpop } = socket.handshake.auth as { token: string; dpop: string };
      const htu = `https://${socket.handshake.headers.host}/socket.io/`;
      const bad = this.revoked
        ? 'device_revoked'
        : !this.accessTokens.has(token)
          ? 'token_expired'
          : this.checkDpop(dpop, 'GET', htu, token);
      this.handshakes.push({ token, ok: !bad, ...(bad ? { why: bad } : {}) });
      if (bad)
        return next(Object.assign(new Error('refused'), { data: { error: bad, message: bad } }));
      next();
    });
    nsp.on('connection', (socket: Socket) => {
      const record = (event: string) => (payload: any, ack?: (r: unknown) => void) => {
        this.socketEvents.push({ event, payload });
        if (event === 'connect_agent')
          return ack?.({
            status: 'ok',
            guid: this.guid,
            heartbeat_interval_ms: this.heartbeatIntervalMs,
          });
        if (event === 'reauthenticate') {
          const why = this.accessTokens.has(payload.token)
            ? this.checkDpop(
                payload.dpop,
                'GET',
                `https://${socket.handshake.headers.host}/socket.io/`,
                payload.token,
              )
            : 'token_expired';
          return ack?.(
            why
              ? { status: 'error', error: why, message: why }
              : { status: 'ok', expires_at: Date.now() + 900_000 },
          );
        }
        if (event === 'quick_job_progress') return void this.progress.push(payload);
        if (event === 'quick_job_result') {
          this.results.push(payload);
          if (this.resultAck === 'ok') ack?.({ status: 'ok', job_id: payload.job_id });
          if (this.resultAck === 'error')
            ack?.({ status: 'error', error: 'internal_error', message: 'try later' });
          if (this.resultAck === 'unknown')
            ack?.({ status: 'error', error: 'job_not_found', message: 'no such job' });
          return;
        }
        ack?.({ status: 'ok' });
      };
      for (const e of [
        'connect_agent',
        'agent_heartbeat',
        'agent_details',
        'reauthenticate',
        'quick_job_progress',
        'quick_job_result',
      ]) {
        socket.on(e, record(e));
      }
    });
  }

  /** Drops every agent socket, optionally telling it why first. */
  dropSockets(reason?: string): void {
    const nsp = this.io.of('/agents');
    if (reason) nsp.emit('agent_disconnect', { reason });
    nsp.disconnectSockets(true);
  }

  /** Emits quick_job_run to the agent and resolves its ack (null: no agent or no answer). */
  async sendJob(
    job: QuickJobRun | Record<string, unknown>,
    timeoutMs = 8_000,
  ): Promise<QuickJobAck | null> {
    const socket = [...this.io.of('/agents').sockets.values()][0];
    if (!socket) return null;
    try {
      return (await socket.timeout(timeoutMs).emitWithAck('quick_job_run', job)) as QuickJobAck;
    } catch {
      return null;
    }
  }

  async cancelJob(jobId: string): Promise<unknown> {
    const socket = [...this.io.of('/agents').sockets.values()][0];
    return socket ? socket.timeout(5_000).emitWithAck('quick_job_cancel', { job_id: jobId }) : null;
  }

  connectedCount(): number {
    return this.io.of('/agents').sockets.size;
  }
}
