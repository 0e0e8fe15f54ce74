// The engine's Ed25519 keys, created on first use and reused after: the access-token signing key
// (Engine/Auth_Tokens/borealis-jwt-ed25519.key) and the script-signing key
// (Engine/Certificates/Code-Signing/borealis-script-ed25519.key + .pub SPKI DER), plus the CA PEM
// that enrollment hands to agents for pinning. Private keys are PKCS#8 PEM files with mode 0600.
import crypto, { type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spkiOf } from '@borealis/protocol/crypto';

export const JWT_KEY_FILE = path.join('Auth_Tokens', 'borealis-jwt-ed25519.key');
export const SCRIPT_KEY_FILE = path.join(
  'Certificates',
  'Code-Signing',
  'borealis-script-ed25519.key',
);

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo DER of the public key. */
  spki: Buffer;
}

export interface JwtSigningKey extends SigningKey {
  /** First 16 hex characters of SHA-256(public SPKI DER). */
  kid: string;
}

export function keyIdOf(spki: Buffer): string {
  return crypto.createHash('sha256').update(spki).digest('hex').slice(0, 16);
}

/** Loads the PKCS#8 PEM at `file`, or creates it (0600) when absent; a lost create race reads the winner's. */
export function loadOrCreateEd25519(file: string): SigningKey {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const fresh = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    try {
      fs.writeFileSync(file, fresh, { mode: 0o600, flag: 'wx' });
      pem = fresh;
    } catch (writeErr) {
      if ((writeErr as NodeJS.ErrnoException).code !== 'EEXIST') throw writeErr;
      pem = fs.readFileSync(file, 'utf8');
    }
  }
  const privateKey = crypto.createPrivateKey({ key: pem, format: 'pem' });
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file} does not hold an Ed25519 private key`);
  }
  const publicKey = crypto.createPublicKey(privateKey);
  return { privateKey, publicKey, spki: spkiOf(publicKey) };
}

export interface EngineKeysOptions {
  engineDir: string;
  /** PEM file agents pin (the engine root CA or an operator bundle); null when there is none. */
  caFile: string | null;
}

/** Lazily loaded engine keys; every accessor is cheap after the first call. */
export class EngineKeys {
  private jwt: JwtSigningKey | null = null;
  private script: SigningKey | null = null;

  constructor(private readonly opts: EngineKeysOptions) {}

  jwtKey(): JwtSigningKey {
    if (!this.jwt) {
      const key = loadOrCreateEd25519(path.join(this.opts.engineDir, JWT_KEY_FILE));
      this.jwt = { ...key, kid: keyIdOf(key.spki) };
    }
    return this.jwt;
  }

  scriptKey(): SigningKey {
    if (!this.script) {
      const file = path.join(this.opts.engineDir, SCRIPT_KEY_FILE);
      const key = loadOrCreateEd25519(file);
      const pub = `${file.replace(/\.key$/, '')}.pub`;
      const onDisk = fs.existsSync(pub) ? fs.readFileSync(pub) : null;
      if (!onDisk || !onDisk.equals(key.spki)) fs.writeFileSync(pub, key.spki, { mode: 0o644 });
      this.script = key;
    }
    return this.script;
  }

  /** base64 SPKI DER of the script-signing key: enrollment's `signing_key`. */
  signingKeyB64(): string {
    return this.scriptKey().spki.toString('base64');
  }

  /** The CA PEM agents pin (`server_certificate`), read on each call; '' when there is no file. */
  serverCertificate(): string {
    if (!this.opts.caFile) return '';
    try {
      return fs.readFileSync(this.opts.caFile, 'utf8');
    } catch {
      return '';
    }
  }
}
