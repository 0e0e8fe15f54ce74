// The agent's Ed25519 identity: created once per machine as Settings/agent_key.ed25519 (PKCS8
// PEM, 0600, exclusive create so two starting processes cannot both make one), loaded afterwards.
// It signs the enrollment proof and every DPoP proof; the private key never leaves this file.
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import {
  accessTokenHash,
  createDpopProof,
  ed25519Jwk,
  enrollmentProofMessage,
  jwkThumbprint,
  signEd25519,
  spkiFingerprint,
  spkiOf,
} from '@borealis/protocol/crypto';

export interface DpopRequest {
  method: string;
  /** Full URL; query and fragment are dropped for `htu`. */
  url: string;
  /** The access token the proof accompanies (adds `ath`). */
  accessToken?: string;
  /** Seconds since the epoch; default now. */
  iat?: number;
}

export class Identity {
  readonly spkiDer: Buffer;
  /** Lowercase hex SHA-256 of the SPKI DER. */
  readonly fingerprint: string;
  /** RFC 7638 thumbprint: the `cnf.jkt` of every token issued to this key. */
  readonly jkt: string;

  private constructor(private readonly privateKey: KeyObject) {
    this.spkiDer = spkiOf(privateKey);
    this.fingerprint = spkiFingerprint(this.spkiDer);
    this.jkt = jwkThumbprint(ed25519Jwk(privateKey));
  }

  /** Loads `file`, or creates it (0600) when it does not exist yet. */
  static loadOrCreate(file: string): { identity: Identity; created: boolean } {
    const existing = Identity.tryLoad(file);
    if (existing) return { identity: existing, created: false };
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
    } catch (err) {
      // Another process won the race: use its key.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        const other = Identity.tryLoad(file);
        if (other) return { identity: other, created: false };
      }
      throw err;
    }
    try {
      fs.writeSync(fd, pem);
      fs.fchmodSync(fd, 0o600);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return { identity: new Identity(privateKey), created: true };
  }

  /** null when the file is missing; throws when it exists but is not an Ed25519 private key. */
  static tryLoad(file: string): Identity | null {
    let pem: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    if (pem.trim() === '') return null;
    const key = crypto.createPrivateKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new Error(`${file} does not hold an Ed25519 private key`);
    }
    // Tighten a key file someone widened.
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    return new Identity(key);
  }

  /** base64 SubjectPublicKeyInfo DER: the `agent_pubkey` of enrollment. */
  publicKeyB64(): string {
    return this.spkiDer.toString('base64');
  }

  /** `proof_sig`: Ed25519 over server_nonce ‖ UTF-8(approval_reference) ‖ client_nonce, base64. */
  enrollmentProof(serverNonce: Buffer, approvalReference: string, clientNonce: Buffer): string {
    const message = enrollmentProofMessage(serverNonce, approvalReference, clientNonce);
    return signEd25519(this.privateKey, message).toString('base64');
  }

  /** A fresh DPoP proof (RFC 9449) for one request. */
  dpop(req: DpopRequest): string {
    const u = new URL(req.url);
    return createDpopProof(this.privateKey, {
      htm: req.method.toUpperCase(),
      htu: `${u.origin}${u.pathname}`,
      iat: req.iat ?? Math.floor(Date.now() / 1000),
      jti: crypto.randomUUID(),
      ...(req.accessToken ? { ath: accessTokenHash(req.accessToken) } : {}),
    });
  }
}
