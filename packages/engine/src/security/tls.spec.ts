// ensureTls: the self-managed P-384 root CA and server certificate (SANs, reuse, reissue on SAN
// change or near expiry) and operator-supplied certificates used as they are.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect metadata API first
import * as x509 from '@peculiar/x509';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { Logger } from '../logging/log-manager.js';
import { ensureTls, fingerprintOf } from './tls.js';

const FINGERPRINT_RE = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string) => void lines.push(m);
  return { lines, debug: push, info: push, warn: push, error: push };
}

describe('ensureTls', () => {
  let root: string;
  let certDir: string;
  const config = (env: Record<string, string> = {}) =>
    loadConfig({ BOREALIS_ROOT: root, ...env }, root);
  const readCert = (name: string) =>
    new crypto.X509Certificate(fs.readFileSync(path.join(certDir, name)));

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-tls-'));
    certDir = path.join(root, 'Engine', 'Certificates');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('creates a P-384 root CA and a server certificate it signs, with the expected files and modes', async () => {
    const log = memoryLog();
    const m = await ensureTls(config(), log);
    expect(fs.readdirSync(certDir).sort()).toEqual([
      'borealis-root-ca-key.pem',
      'borealis-root-ca.pem',
      'borealis-server-bundle.pem',
      'borealis-server-cert.pem',
      'borealis-server-key.pem',
    ]);
    for (const key of ['borealis-root-ca-key.pem', 'borealis-server-key.pem']) {
      expect(fs.statSync(path.join(certDir, key)).mode & 0o777).toBe(0o600);
    }
    const ca = readCert('borealis-root-ca.pem');
    expect(ca.ca).toBe(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    const years = (Date.parse(ca.validTo) - Date.parse(ca.validFrom)) / (365 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);

    const leaf = readCert('borealis-server-cert.pem');
    expect(leaf.ca).toBe(false);
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe('secp384r1');
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.keyUsage).toContain('1.3.6.1.5.5.7.3.1'); // serverAuth
    const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(300);
    expect(days).toBeLessThan(400);
    expect(leaf.checkPrivateKey(crypto.createPrivateKey(m.key))).toBe(true);

    expect(m.operatorSupplied).toBe(false);
    expect(m.caFile).toBe(path.join(certDir, 'borealis-root-ca.pem'));
    expect(m.caFingerprintSha256).toMatch(FINGERPRINT_RE);
    expect(m.caFingerprintSha256).toBe(ca.fingerprint256);
    const der = crypto.createHash('sha256').update(ca.raw).digest('hex').toUpperCase();
    expect(m.caFingerprintSha256.replaceAll(':', '')).toBe(der);
    // The served chain is leaf then CA, and so is the bundle on disk.
    expect(m.cert).toBe(fs.readFileSync(path.join(certDir, 'borealis-server-bundle.pem'), 'utf8'));
    expect(m.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(new crypto.X509Certificate(m.cert).fingerprint256).toBe(leaf.fingerprint256);

    expect(log.lines.join('\n')).toMatch(/Created root CA/);
    expect(log.lines.join('\n')).not.toMatch(/PRIVATE KEY/);
  });

  it('puts localhost, loopback IPs, the host name and BOREALIS_TLS_SANS in the SANs', async () => {
    await ensureTls(
      config({ BOREALIS_TLS_SANS: 'rmm.example.test, 192.0.2.7, 2001:db8::5' }),
      memoryLog(),
    );
    const leaf = readCert('borealis-server-cert.pem');
    const san = leaf.subjectAltName ?? '';
    expect(san).toContain('DNS:localhost');
    expect(san).toContain(`DNS:${os.hostname().toLowerCase()}`);
    expect(san).toContain('DNS:rmm.example.test');
    for (const ip of ['127.0.0.1', '::1', '192.0.2.7', '2001:db8::5'])
      expect(leaf.checkIP(ip)).toBe(ip);
    expect(san).not.toContain('DNS:192.0.2.7');
    expect(leaf.checkHost('rmm.example.test')).toBe('rmm.example.test');
    expect(leaf.checkHost('other.example.test')).toBeUndefined();
  });

  it('reuses the CA and server certificate on later starts', async () => {
    const first = await ensureTls(config(), memoryLog());
    const before = fs.readFileSync(path.join(certDir, 'borealis-server-cert.pem'), 'utf8');
    const log = memoryLog();
    const second = await ensureTls(config(), log);
    expect(second.caFingerprintSha256).toBe(first.caFingerprintSha256);
    expect(second.cert).toBe(first.cert);
    expect(second.key).toBe(first.key);
    expect(fs.readFileSync(path.join(certDir, 'borealis-server-cert.pem'), 'utf8')).toBe(before);
    expect(log.lines.join('\n')).toMatch(/Using root CA/);
    expect(log.lines.join('\n')).toMatch(/Using server certificate/);
  });

  it('reissues only the server certificate, from the same CA, when the SANs change', async () => {
    const first = await ensureTls(config(), memoryLog());
    const oldLeaf = readCert('borealis-server-cert.pem');
    const log = memoryLog();
    const second = await ensureTls(config({ BOREALIS_TLS_SANS: 'engine.internal' }), log);
    const newLeaf = readCert('borealis-server-cert.pem');
    expect(second.caFingerprintSha256).toBe(first.caFingerprintSha256);
    expect(newLeaf.serialNumber).not.toBe(oldLeaf.serialNumber);
    expect(newLeaf.checkHost('engine.internal')).toBe('engine.internal');
    expect(newLeaf.verify(readCert('borealis-root-ca.pem').publicKey)).toBe(true);
    expect(log.lines.join('\n')).toMatch(/Issued server certificate .*SANs changed/);
    // Same SANs again: nothing is reissued.
    await ensureTls(config({ BOREALIS_TLS_SANS: 'engine.internal' }), memoryLog());
    expect(readCert('borealis-server-cert.pem').serialNumber).toBe(newLeaf.serialNumber);
  });

  it('reissues the server certificate when it expires within 30 days', async () => {
    const first = await ensureTls(config(), memoryLog());
    // Replace the leaf with one from the same CA that has 10 days left.
    x509.cryptoProvider.set(crypto.webcrypto);
    const caPem = fs.readFileSync(path.join(certDir, 'borealis-root-ca.pem'), 'utf8');
    const caCert = new x509.X509Certificate(caPem);
    const caKeyDer = crypto
      .createPrivateKey(fs.readFileSync(path.join(certDir, 'borealis-root-ca-key.pem')))
      .export({ format: 'der', type: 'pkcs8' });
    const alg = { name: 'ECDSA', namedCurve: 'P-384' };
    const signingKey = await crypto.webcrypto.subtle.importKey('pkcs8', caKeyDer, alg, false, [
      'sign',
    ]);
    const leafKeys = await crypto.webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const old = new x509.X509Certificate(
      fs.readFileSync(path.join(certDir, 'borealis-server-cert.pem')),
    );
    const short = await x509.X509CertificateGenerator.create({
      subject: 'CN=short',
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 10 * 86_400_000),
      publicKey: leafKeys.publicKey,
      signingKey,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
      extensions: [old.getExtension(x509.SubjectAlternativeNameExtension)!],
    });
    const pkcs8 = Buffer.from(
      await crypto.webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey),
    );
    fs.writeFileSync(path.join(certDir, 'borealis-server-cert.pem'), short.toString('pem'));
    fs.writeFileSync(
      path.join(certDir, 'borealis-server-key.pem'),
      x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    );

    const log = memoryLog();
    const second = await ensureTls(config(), log);
    const leaf = readCert('borealis-server-cert.pem');
    expect(second.caFingerprintSha256).toBe(first.caFingerprintSha256);
    expect(leaf.subject).not.toContain('CN=short');
    expect((Date.parse(leaf.validTo) - Date.now()) / 86_400_000).toBeGreaterThan(300);
    expect(log.lines.join('\n')).toMatch(/expires within 30 days/);
  });

  it('serves a chain that a client trusting only the root CA accepts for localhost and 127.0.0.1', async () => {
    const m = await ensureTls(config(), memoryLog());
    const server = tls.createServer({ key: m.key, cert: m.cert, minVersion: 'TLSv1.3' }, (s) =>
      s.end('hi'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const ca = fs.readFileSync(m.caFile, 'utf8');
    try {
      for (const servername of ['localhost', undefined]) {
        const text = await new Promise<string>((resolve, reject) => {
          const s = tls.connect(
            { host: '127.0.0.1', port, ca, ...(servername ? { servername } : {}) },
            () => {
              let data = '';
              s.setEncoding('utf8')
                .on('data', (d: string) => (data += d))
                .on('end', () => resolve(data));
            },
          );
          s.on('error', reject);
        });
        expect(text).toBe('hi');
      }
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  describe('operator-supplied certificates', () => {
    let supplied: string;
    beforeEach(async () => {
      // Use a separately generated CA and leaf as "the operator's" files.
      supplied = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-tls-op-'));
      await ensureTls(loadConfig({ BOREALIS_ROOT: supplied }, supplied), memoryLog());
    });
    afterEach(() => fs.rmSync(supplied, { recursive: true, force: true }));
    const op = (name: string) => path.join(supplied, 'Engine', 'Certificates', name);

    it('uses BOREALIS_TLS_CERT/_KEY/_BUNDLE as they are and fingerprints the bundle CA', async () => {
      const log = memoryLog();
      const m = await ensureTls(
        config({
          BOREALIS_TLS_CERT: op('borealis-server-cert.pem'),
          BOREALIS_TLS_KEY: op('borealis-server-key.pem'),
          BOREALIS_TLS_BUNDLE: op('borealis-root-ca.pem'),
        }),
        log,
      );
      expect(m.operatorSupplied).toBe(true);
      expect(m.key).toBe(fs.readFileSync(op('borealis-server-key.pem'), 'utf8'));
      expect(m.cert).toBe(fs.readFileSync(op('borealis-server-bundle.pem'), 'utf8'));
      expect(m.caFile).toBe(op('borealis-root-ca.pem'));
      expect(m.caFingerprintSha256).toBe(
        fingerprintOf(fs.readFileSync(op('borealis-root-ca.pem'), 'utf8')),
      );
      expect(fs.existsSync(certDir)).toBe(false);
      expect(log.lines.join('\n')).toMatch(/operator-supplied/);
    });

    it('without a bundle fingerprints the supplied certificate', async () => {
      const m = await ensureTls(
        config({
          BOREALIS_TLS_CERT: op('borealis-server-cert.pem'),
          BOREALIS_TLS_KEY: op('borealis-server-key.pem'),
        }),
        memoryLog(),
      );
      expect(m.caFingerprintSha256).toBe(
        fingerprintOf(fs.readFileSync(op('borealis-server-cert.pem'), 'utf8')),
      );
      expect(m.cert.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    });

    it('refuses a key that does not belong to the certificate, and a missing file', async () => {
      await expect(
        ensureTls(
          config({
            BOREALIS_TLS_CERT: op('borealis-server-cert.pem'),
            BOREALIS_TLS_KEY: op('borealis-root-ca-key.pem'),
          }),
          memoryLog(),
        ),
      ).rejects.toThrow(/BOREALIS_TLS_KEY does not match/);
      await expect(
        ensureTls(
          config({
            BOREALIS_TLS_CERT: op('missing.pem'),
            BOREALIS_TLS_KEY: op('borealis-server-key.pem'),
          }),
          memoryLog(),
        ),
      ).rejects.toThrow(/cannot read BOREALIS_TLS_CERT .*missing\.pem: ENOENT/);
    });
  });
});
