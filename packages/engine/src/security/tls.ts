// TLS material for the HTTPS listener. First start: an ECDSA P-384 root CA (10 years) and a server
// certificate it signs (P-384, about a year, serverAuth) under Engine/Certificates/. Later starts
// reuse them and reissue only the server certificate when it nears expiry or its SANs changed.
// Operator-supplied BOREALIS_TLS_CERT/_KEY/_BUNDLE are used as they are.
import crypto, { type webcrypto } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect metadata API first
import * as x509 from '@peculiar/x509';
import type { EngineConfig } from '../config.js';
import type { Logger } from '../logging/log-manager.js';

export interface TlsMaterial {
  key: string;
  /** Leaf certificate followed by its CA chain (PEM). */
  cert: string;
  caFile: string;
  /** Uppercase, colon-separated SHA-256 of the CA certificate's DER. */
  caFingerprintSha256: string;
  operatorSupplied: boolean;
}

export const CA_CERT_FILE = 'borealis-root-ca.pem';
export const CA_KEY_FILE = 'borealis-root-ca-key.pem';
export const SERVER_CERT_FILE = 'borealis-server-cert.pem';
export const SERVER_KEY_FILE = 'borealis-server-key.pem';
export const SERVER_BUNDLE_FILE = 'borealis-server-bundle.pem';

const DAY_MS = 86_400_000;
const CA_LIFETIME_DAYS = 3650;
const SERVER_LIFETIME_DAYS = 365;
const RENEW_BEFORE_DAYS = 30;
const KEY_ALG: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-384' };
const SIGN_ALG: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-384' };

x509.cryptoProvider.set(crypto.webcrypto);

/** Returns the key and certificate chain to serve, creating or renewing self-managed files as needed. */
export async function ensureTls(config: EngineConfig, log: Logger): Promise<TlsMaterial> {
  if (config.tls.cert && config.tls.key) return operatorMaterial(config.tls, log);
  const dir = path.join(config.engineDir, 'Certificates');
  fs.mkdirSync(dir, { recursive: true });
  const ca = await loadOrCreateCa(dir, log);
  const wanted = wantedSans(config.tls.extraSans);
  const leaf = await loadOrIssueServer(dir, ca, wanted, log);
  const caFile = path.join(dir, CA_CERT_FILE);
  const fingerprint = fingerprintOf(ca.pem);
  return {
    key: leaf.keyPem,
    cert: leaf.certPem + ca.pem,
    caFile,
    caFingerprintSha256: fingerprint,
    operatorSupplied: false,
  };
}

/** The SAN list of a self-managed server certificate: loopback names, the host name and extras. */
export function wantedSans(extra: string[]): string[] {
  const entries = ['localhost', '127.0.0.1', '::1', os.hostname(), ...extra]
    .map((s) => s.trim().replace(/^(dns|ip):/i, ''))
    .filter(Boolean)
    .map(normalizeSan);
  return [...new Set(entries)].sort();
}

/** `ip:<canonical address>` or `dns:<lowercase name>`. */
function normalizeSan(value: string): string {
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (net.isIPv4(bare)) return `ip:${bare}`;
  if (net.isIPv6(bare)) return `ip:${new URL(`http://[${bare}]`).hostname.slice(1, -1)}`;
  return `dns:${bare.toLowerCase()}`;
}

const shownSans = (sans: string[]) => sans.map((s) => s.slice(s.indexOf(':') + 1)).join(', ');

interface Ca {
  pem: string;
  cert: x509.X509Certificate;
  key: webcrypto.CryptoKey;
}

async function loadOrCreateCa(dir: string, log: Logger): Promise<Ca> {
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    const pem = fs.readFileSync(certFile, 'utf8');
    const cert = new x509.X509Certificate(pem);
    if (cert.notAfter.getTime() - Date.now() > RENEW_BEFORE_DAYS * DAY_MS) {
      const key = await importKey(fs.readFileSync(keyFile, 'utf8'));
      log.info(`Using root CA ${certFile} (valid until ${cert.notAfter.toISOString()})`);
      return { pem: normalizePem(pem), cert, key };
    }
    log.warn(`Root CA ${certFile} expires ${cert.notAfter.toISOString()}; creating a new one`);
  } else if (fs.existsSync(certFile) || fs.existsSync(keyFile)) {
    log.warn(`Root CA files in ${dir} are incomplete; creating a new root CA`);
  }
  const keys = await crypto.webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Borealis Root CA, O=Borealis',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + CA_LIFETIME_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pem = normalizePem(cert.toString('pem'));
  writeFileAtomic(keyFile, await exportKey(keys.privateKey), 0o600);
  writeFileAtomic(certFile, pem, 0o644);
  // A new CA invalidates any server certificate signed by an older one.
  for (const f of [SERVER_CERT_FILE, SERVER_KEY_FILE, SERVER_BUNDLE_FILE]) {
    fs.rmSync(path.join(dir, f), { force: true });
  }
  log.info(`Created root CA ${certFile} (ECDSA P-384, valid until ${cert.notAfter.toISOString()})`);
  return { pem, cert, key: keys.privateKey };
}

async function loadOrIssueServer(
  dir: string,
  ca: Ca,
  wanted: string[],
  log: Logger,
): Promise<{ certPem: string; keyPem: string }> {
  const certFile = path.join(dir, SERVER_CERT_FILE);
  const keyFile = path.join(dir, SERVER_KEY_FILE);
  const reason = await reissueReason(certFile, keyFile, ca, wanted);
  if (!reason) {
    const certPem = normalizePem(fs.readFileSync(certFile, 'utf8'));
    const keyPem = fs.readFileSync(keyFile, 'utf8');
    writeBundleIfStale(dir, certPem + ca.pem);
    log.info(`Using server certificate ${certFile} (SANs ${shownSans(wanted)})`);
    return { certPem, keyPem };
  }
  const keys = await crypto.webcrypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${os.hostname() || 'localhost'}, O=Borealis`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(Math.min(now + SERVER_LIFETIME_DAYS * DAY_MS, ca.cert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        wanted.map((s) => ({
          type: s.startsWith('ip:') ? 'ip' : 'dns',
          value: s.slice(s.indexOf(':') + 1),
        })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  const certPem = normalizePem(cert.toString('pem'));
  const keyPem = await exportKey(keys.privateKey);
  writeFileAtomic(keyFile, keyPem, 0o600);
  writeFileAtomic(certFile, certPem, 0o644);
  writeFileAtomic(path.join(dir, SERVER_BUNDLE_FILE), certPem + ca.pem, 0o644);
  log.info(
    `Issued server certificate ${certFile} (${reason}; SANs ${shownSans(wanted)}; ` +
      `valid until ${cert.notAfter.toISOString()})`,
  );
  return { certPem, keyPem };
}

/** Why the server certificate must be (re)issued, or null when the existing one is still good. */
async function reissueReason(
  certFile: string,
  keyFile: string,
  ca: Ca,
  wanted: string[],
): Promise<string | null> {
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) return 'none on disk';
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(fs.readFileSync(certFile, 'utf8'));
    const key = crypto.createPrivateKey(fs.readFileSync(keyFile, 'utf8'));
    if (!new crypto.X509Certificate(Buffer.from(cert.rawData)).checkPrivateKey(key))
      return 'key does not match';
  } catch {
    return 'unreadable certificate or key';
  }
  if (
    cert.issuer !== ca.cert.subject ||
    !(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }))
  ) {
    return 'not signed by the current root CA';
  }
  if (cert.notAfter.getTime() - Date.now() < RENEW_BEFORE_DAYS * DAY_MS)
    return 'expires within 30 days';
  const have = sansOf(cert);
  if (have.length !== wanted.length || have.some((s, i) => s !== wanted[i])) return 'SANs changed';
  return null;
}

/** The normalized, sorted SAN entries of a certificate (DNS and IP only). */
export function sansOf(cert: x509.X509Certificate): string[] {
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!ext) return [];
  return ext.names.items
    .filter((n) => n.type === 'dns' || n.type === 'ip')
    .map((n) => normalizeSan(n.value))
    .sort();
}

function operatorMaterial(tls: EngineConfig['tls'], log: Logger): TlsMaterial {
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(
        `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      );
    }
  };
  const certPem = normalizePem(read(tls.cert!, 'BOREALIS_TLS_CERT'));
  const keyPem = read(tls.key!, 'BOREALIS_TLS_KEY');
  const bundlePem = tls.bundle ? normalizePem(read(tls.bundle, 'BOREALIS_TLS_BUNDLE')) : '';
  const leafPems = splitPem(certPem);
  if (!leafPems.length) throw new Error(`BOREALIS_TLS_CERT ${tls.cert} holds no PEM certificate`);
  const leaf = new crypto.X509Certificate(leafPems[0]!);
  if (!leaf.checkPrivateKey(crypto.createPrivateKey(keyPem))) {
    throw new Error('BOREALIS_TLS_KEY does not match the certificate in BOREALIS_TLS_CERT');
  }
  const chain = splitPem(bundlePem).filter((p) => !leafPems.includes(p));
  const anchor = (tls.bundle ? splitPem(bundlePem) : leafPems).at(-1)!;
  const caFingerprintSha256 = fingerprintOf(anchor);
  log.info(
    `Using operator-supplied TLS certificate ${tls.cert} (subject ${leaf.subject.replace(/\n/g, ', ')}; ` +
      `valid until ${new Date(leaf.validTo).toISOString()}; chain anchor SHA-256 ${caFingerprintSha256})`,
  );
  return {
    key: keyPem,
    cert: [...leafPems, ...chain].join(''),
    caFile: tls.bundle ?? tls.cert!,
    caFingerprintSha256,
    operatorSupplied: true,
  };
}

/** Uppercase, colon-separated SHA-256 of a PEM certificate's DER. */
export function fingerprintOf(pem: string): string {
  return new crypto.X509Certificate(pem).fingerprint256;
}

function splitPem(pem: string): string[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (p) => `${p}\n`,
  );
}

function normalizePem(pem: string): string {
  const text = pem.replace(/\r\n/g, '\n').trim();
  return text ? `${text}\n` : '';
}

function serial(): string {
  // Positive 128-bit serial: clear the top bit so DER does not read it as negative.
  const b = crypto.randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.webcrypto.subtle.exportKey('pkcs8', key));
  return x509.PemConverter.encode(der, 'PRIVATE KEY') + '\n';
}

async function importKey(pem: string): Promise<webcrypto.CryptoKey> {
  const der = crypto.createPrivateKey(pem).export({ format: 'der', type: 'pkcs8' });
  return crypto.webcrypto.subtle.importKey('pkcs8', der, KEY_ALG, false, ['sign']);
}

function writeBundleIfStale(dir: string, bundle: string): void {
  const file = path.join(dir, SERVER_BUNDLE_FILE);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== bundle)
    writeFileAtomic(file, bundle, 0o644);
}

/** Writes via a temp file and rename, so a crash never leaves half a key; `mode` applies to new files. */
function writeFileAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}
