// Throwaway PKI for CLI tests: a self-signed ECDSA root CA and a server certificate it signs
// (SANs localhost and 127.0.0.1 unless told otherwise), plus a local HTTPS server that records
// every request it received.
import crypto from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import 'reflect-metadata'; // @peculiar/x509 (tsyringe) needs the Reflect metadata API first
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto);

const KEY_ALG = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' };
const DAY_MS = 86_400_000;

export interface TestPki {
  caPem: string;
  /** SHA-256 of the CA certificate DER, lower-case hex. */
  caFingerprint: string;
  certPem: string;
  keyPem: string;
}

const withNewline = (pem: string) => (pem.endsWith('\n') ? pem : `${pem}\n`);

function pemKey(der: ArrayBuffer): string {
  return withNewline(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

type San = { type: 'dns' | 'ip'; value: string };
const LOOPBACK_SANS: San[] = [
  { type: 'dns', value: 'localhost' },
  { type: 'ip', value: '127.0.0.1' },
];

export async function makePki(commonName = 'Test Root CA', sans = LOOPBACK_SANS): Promise<TestPki> {
  const subtle = crypto.webcrypto.subtle;
  const now = Date.now();
  const caKeys = await subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${commonName}`,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    keys: caKeys,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = await subtle.generateKey(KEY_ALG, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: 'CN=localhost',
    issuer: ca.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 30 * DAY_MS),
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sans),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    caPem: withNewline(ca.toString('pem')),
    caFingerprint: crypto.createHash('sha256').update(Buffer.from(ca.rawData)).digest('hex'),
    certPem: withNewline(leaf.toString('pem')),
    keyPem: pemKey(await subtle.exportKey('pkcs8', leafKeys.privateKey)),
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface TestServer {
  url: string;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: SeenRequest) => {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

/** HTTPS on 127.0.0.1 presenting leaf + root; records each request, then answers via `handler`. */
export async function startTestServer(pki: TestPki, handler: Handler): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const server = https.createServer(
    { key: pki.keyPem, cert: pki.certPem + pki.caPem, minVersion: 'TLSv1.3' },
    (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        seen.push(entry);
        const answer = handler(entry);
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
