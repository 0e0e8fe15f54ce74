// Keys derived from the engine secret (BOREALIS_SECRET_KEY or the generated Engine/secret.key):
// AES-256-GCM encryption for secrets kept at rest (TOTP seeds, credentials) and token hashing.
import crypto from 'node:crypto';

export class SecretBox {
  private readonly encKey: Buffer;

  constructor(secret: string) {
    this.encKey = Buffer.from(
      crypto.hkdfSync(
        'sha256',
        Buffer.from(secret, 'utf8'),
        Buffer.alloc(0),
        'borealis:at-rest:v1',
        32,
      ),
    );
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, all base64url. `purpose` binds the ciphertext to its use. */
  encrypt(plaintext: string, purpose: string): string {
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', this.encKey, iv);
    c.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
    return ['v1', iv, c.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(sealed: string, purpose: string): string {
    const [v, iv, tag, body] = sealed.split('.');
    if (v !== 'v1' || !iv || !tag || body === undefined)
      throw new Error('unrecognised sealed value');
    const d = crypto.createDecipheriv('aes-256-gcm', this.encKey, Buffer.from(iv, 'base64url'));
    d.setAAD(Buffer.from(purpose));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  }
}

/** SHA-256 hex of a bearer secret: what we store instead of the secret itself. */
export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Random URL-safe token with `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** Constant-time string equality (length leak only). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    crypto.timingSafeEqual(ab, ab);
    return false;
  }
  return crypto.timingSafeEqual(ab, bb);
}
