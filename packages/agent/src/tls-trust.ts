// Which engine CA the agent trusts: exactly one pinned root in Settings/server_certificate.pem,
// used for REST and the socket. It comes from --ca-file, from the presented chain when its SHA-256
// matches --ca-fingerprint (timing-safe), or from the first contact with --trust-on-first-use.
// A pin is never replaced silently: a changed engine CA is a logged error, retried with back-off.
import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import tls, { type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { AgentPaths, TrustMode } from './config.js';
import { writeFileAtomic } from './files.js';
import type { Logger } from './logging/agent-log.js';

export class TrustError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** A configuration problem that retrying cannot fix. */
    readonly fatal = false,
  ) {
    super(message);
    this.name = 'TrustError';
  }
}

export interface TrustSettings {
  serverUrl: string;
  trust?: { mode: TrustMode; fingerprint?: string };
  /** Path given with --ca-file in this run. */
  caFile?: string;
}

export interface PinnedCa {
  pem: string;
  fingerprint: string;
}

export const certFingerprint = (der: Buffer): string =>
  createHash('sha256').update(der).digest('hex');

/** Fingerprint of the first certificate of a PEM text; throws when there is none. */
export function pemFingerprint(pem: string): string {
  return certFingerprint(new X509Certificate(pem).raw);
}

export function fingerprintsMatch(expectedHex: string, actualHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(actualHex, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

export const colonHex = (hex: string): string => (hex.match(/../g) ?? []).join(':').toUpperCase();

/** Name check for the engine certificate; skipped for literal-IP URLs (the chain is still verified). */
export function checkServerIdentity(host: string, cert: PeerCertificate): Error | undefined {
  return net.isIP(host.replace(/^\[(.*)\]$/, '$1'))
    ? undefined
    : tls.checkServerIdentity(host, cert);
}

/** Opens a TLS connection only to read the chain (no byte of application data) and returns its root. */
export function fetchPresentedRoot(serverUrl: string, timeoutMs = 15_000): Promise<PinnedCa> {
  const url = new URL(serverUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port: Number(url.port || 443),
      ...(net.isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: false, // the chain is judged below, and nothing is sent on this socket
    });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`no TLS handshake from ${url.host}`)),
    );
    socket.once('error', (err) =>
      reject(new TrustError('connection_failed', `cannot reach ${url.host}: ${err.message}`)),
    );
    socket.once('secureConnect', () => {
      let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
      let root: DetailedPeerCertificate | undefined;
      for (let i = 0; cert?.raw && i < 16; i += 1) {
        root = cert;
        const next: DetailedPeerCertificate | undefined = cert.issuerCertificate;
        if (!next || next === cert || next.fingerprint256 === cert.fingerprint256) break;
        cert = next;
      }
      socket.end();
      if (!root)
        return reject(new TrustError('tls_no_certificate', `${url.host} presented no certificate`));
      resolve({
        pem: new X509Certificate(root.raw).toString(),
        fingerprint: certFingerprint(root.raw),
      });
    });
  });
}

export class TrustManager {
  constructor(
    private readonly paths: AgentPaths,
    private readonly cfg: TrustSettings,
    private readonly log: Logger,
  ) {}

  /** The pinned CA, or null when nothing is pinned yet. */
  pinned(): PinnedCa | null {
    let pem: string;
    try {
      pem = fs.readFileSync(this.paths.caFile, 'utf8');
    } catch {
      return null;
    }
    try {
      return { pem, fingerprint: pemFingerprint(pem) };
    } catch {
      throw new TrustError('pinned_ca_corrupt', `${this.paths.caFile} holds no certificate`, true);
    }
  }

  /** Makes sure a CA is pinned and returns it; see the module comment for the rules. */
  async ensurePinned(): Promise<PinnedCa> {
    const current = this.pinned();
    const mode = this.cfg.trust?.mode;
    if (this.cfg.caFile) return this.pinFromFile(this.cfg.caFile, current);
    const wanted = this.cfg.trust?.fingerprint;
    if (current) {
      if (mode !== 'fingerprint' || !wanted || fingerprintsMatch(wanted, current.fingerprint))
        return current;
      // The operator configured a different fingerprint: that is an explicit re-pin request.
      this.log.warn(
        `configured CA fingerprint ${colonHex(wanted)} differs from the pinned ${colonHex(current.fingerprint)}; verifying the engine against it`,
      );
    }
    if (mode === 'fingerprint' && wanted) {
      const root = await fetchPresentedRoot(this.cfg.serverUrl);
      if (!fingerprintsMatch(wanted, root.fingerprint)) {
        throw new TrustError(
          'ca_fingerprint_mismatch',
          `the engine presented CA ${colonHex(root.fingerprint)}, which does not match the expected ${colonHex(wanted)}; not trusting it`,
        );
      }
      this.pin(root, 'fingerprint verified');
      return root;
    }
    if (mode === 'tofu') {
      const root = await fetchPresentedRoot(this.cfg.serverUrl);
      this.pin(root, 'trust on first use');
      return root;
    }
    throw new TrustError(
      'no_trust_configured',
      'no engine CA pinned: pass --ca-file, --ca-fingerprint or --trust-on-first-use',
      true,
    );
  }

  /** Compares the CA an enrollment answer names with the pin; a difference is logged, the pin kept. */
  checkAnnouncedCa(pem: string): boolean {
    if (pem.trim() === '') return true; // an engine behind a public CA announces none
    const current = this.pinned();
    let announced: string;
    try {
      announced = pemFingerprint(pem);
    } catch {
      this.log.warn(
        'the engine announced a server_certificate that is not a certificate; keeping the pinned CA',
      );
      return false;
    }
    if (current && !fingerprintsMatch(current.fingerprint, announced)) {
      this.log.warn(
        `the engine announced CA ${colonHex(announced)} but ${colonHex(current.fingerprint)} is pinned; keeping the pinned CA`,
      );
      return false;
    }
    return true;
  }

  private pinFromFile(file: string, current: PinnedCa | null): PinnedCa {
    let pem: string;
    let fingerprint: string;
    try {
      pem = fs.readFileSync(file, 'utf8');
      fingerprint = pemFingerprint(pem);
    } catch (err) {
      throw new TrustError('ca_file_invalid', `--ca-file ${file}: ${(err as Error).message}`, true);
    }
    if (current && fingerprintsMatch(current.fingerprint, fingerprint)) return current;
    if (current) {
      this.log.warn(
        `replacing pinned CA ${colonHex(current.fingerprint)} with ${colonHex(fingerprint)} from --ca-file (operator request)`,
      );
    }
    const ca = { pem, fingerprint };
    this.pin(ca, `from ${file}`);
    return ca;
  }

  private pin(ca: PinnedCa, how: string): void {
    writeFileAtomic(this.paths.caFile, ca.pem.endsWith('\n') ? ca.pem : `${ca.pem}\n`, {
      mode: 0o644,
    });
    this.log.info(`pinned engine CA ${colonHex(ca.fingerprint)} (${how})`);
  }
}

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);

/** True for TLS verification failures: the engine's chain does not match the pin. */
export function isTlsTrustFailure(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  const msg = err instanceof Error ? err.message : '';
  return (
    UNTRUSTED.has(code) ||
    [...UNTRUSTED].some((c) => msg.includes(c)) ||
    /self[- ]signed certificate|unable to verify/i.test(msg)
  );
}
