// How the CLI trusts the engine's TLS certificate: a CA file (PEM), or a pinned SHA-256
// fingerprint of the engine's root CA. Pinning reads the presented chain once without sending
// anything, checks its root (the self-signed / last certificate) against the pin in constant
// time, then every request runs fully verified against that root. Nothing ever skips verification.
import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import { CliError } from './errors.js';

/** Roots the HTTPS client verifies the server against (PEM); none means the system store. */
export interface TrustAnchors {
  ca?: string;
}

export interface TrustConfig {
  caFile?: string;
  /** 64 lower-case hex digits. */
  caFingerprint?: string;
}

/** Reads a PEM file and checks it holds at least one certificate. */
export async function loadCaFile(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(
      'ca_file_unreadable',
      `Cannot read CA file ${file}: ${(err as Error).message}`,
    );
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new CliError('ca_file_invalid', `${file} does not contain a PEM certificate.`);
  }
  return pem;
}

/** SHA-256 of a certificate's DER bytes as 64 lower-case hex digits. */
export function certFingerprint(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}

/** `ab:cd:…` rendering for messages. */
export function colonHex(hex: string): string {
  return (hex.match(/../g) ?? []).join(':').toUpperCase();
}

/** Constant-time comparison of two hex fingerprints. */
export function fingerprintsMatch(expectedHex: string, actualHex: string): boolean {
  const a = Buffer.from(expectedHex, 'hex');
  const b = Buffer.from(actualHex, 'hex');
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}

/** Host for connecting: URL hostnames keep IPv6 brackets, sockets do not. */
export function socketHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The presented chain, leaf first, ending at the self-signed root or the last certificate sent. */
function chainOf(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  let cert: DetailedPeerCertificate | undefined = leaf;
  while (cert && cert.raw && !chain.includes(cert) && chain.length < 16) {
    chain.push(cert);
    const next: DetailedPeerCertificate | undefined = cert.issuerCertificate;
    if (!next || next === cert || next.fingerprint256 === cert.fingerprint256) break;
    cert = next;
  }
  return chain;
}

/**
 * Opens a TLS connection only to read the server's certificate chain (no request is sent on it),
 * and returns the chain's root certificate as PEM with its fingerprint.
 */
export function fetchPresentedRoot(
  url: URL,
  timeoutMs = 15_000,
): Promise<{ pem: string; fingerprint: string }> {
  const host = socketHost(url);
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host,
      port,
      ...(net.isIP(host) ? {} : { servername: host }),
      // Verification happens below against the pin; this socket carries no application data.
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new CliError('timeout', `No TLS handshake from ${url.host}.`)),
    );
    socket.on('error', (err) =>
      reject(
        err instanceof CliError
          ? err
          : new CliError('connection_failed', `Cannot connect to ${url.host}: ${err.message}`),
      ),
    );
    socket.once('secureConnect', () => {
      const chain = chainOf(socket.getPeerCertificate(true));
      socket.setTimeout(0);
      socket.end();
      const root = chain[chain.length - 1];
      if (!root) {
        reject(new CliError('tls_no_certificate', `${url.host} presented no certificate.`));
        return;
      }
      const pem = new X509Certificate(root.raw).toString();
      resolve({ pem, fingerprint: certFingerprint(root.raw) });
    });
  });
}

/**
 * Turns the configured trust into the roots the HTTPS client verifies against. With a pinned
 * fingerprint, a mismatching root aborts before any credential is sent.
 */
export async function resolveTrust(url: URL, trust: TrustConfig): Promise<TrustAnchors> {
  const filePem = trust.caFile ? await loadCaFile(trust.caFile) : undefined;
  if (!trust.caFingerprint) return filePem ? { ca: filePem } : {};
  const root = await fetchPresentedRoot(url);
  if (!fingerprintsMatch(trust.caFingerprint, root.fingerprint)) {
    throw new CliError(
      'ca_fingerprint_mismatch',
      `The server's root CA fingerprint ${colonHex(root.fingerprint)} does not match the pinned ` +
        `${colonHex(trust.caFingerprint)}; refusing to connect.`,
    );
  }
  return { ca: filePem ?? root.pem };
}

/** A clearer sentence for Node's TLS verification error codes. */
export function describeTlsError(err: NodeJS.ErrnoException, host: string): CliError | null {
  const code = err.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return new CliError(
      'tls_hostname_mismatch',
      `The certificate of ${host} does not name this host: ${err.message}`,
    );
  }
  if (
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'CERT_SIGNATURE_FAILURE'
  ) {
    return new CliError(
      'tls_untrusted',
      `The certificate of ${host} is not trusted (${code}); pass --ca-file <engine root CA> ` +
        'or --ca-fingerprint <sha256>.',
    );
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return new CliError(
      'tls_certificate_expired',
      `The certificate of ${host} is not valid now (${code}).`,
    );
  }
  return null;
}
