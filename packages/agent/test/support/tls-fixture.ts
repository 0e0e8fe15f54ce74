// Test TLS material made with the openssl CLI: a CA (basicConstraints CA:TRUE) and a leaf for
// 127.0.0.1/localhost signed by it, plus an HTTPS server presenting leaf + CA like the engine.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface TestCa {
  dir: string;
  caFile: string;
  caPem: string;
  /** SHA-256 of the CA DER, lowercase hex. */
  fingerprint: string;
  leafPem: string;
  leafKeyPem: string;
}

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });

export function makeCa(name = 'Test CA'): TestCa {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-ca-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1'], dir);
  fs.writeFileSync(
    path.join(dir, 'ext.cnf'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'leaf.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ],
    dir,
  );
  const caPem = fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8');
  return {
    dir,
    caFile: path.join(dir, 'ca.pem'),
    caPem,
    fingerprint: crypto
      .createHash('sha256')
      .update(new crypto.X509Certificate(caPem).raw)
      .digest('hex'),
    leafPem: fs.readFileSync(path.join(dir, 'leaf.pem'), 'utf8'),
    leafKeyPem: fs.readFileSync(path.join(dir, 'leaf.key'), 'utf8'),
  };
}

export interface TlsServer {
  server: https.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** An HTTPS server on 127.0.0.1 (port 0 = any) presenting the leaf followed by its CA. */
export async function startHttps(
  ca: TestCa,
  handler: RequestListener = (_req, res) => res.end('{}'),
  port = 0,
): Promise<TlsServer> {
  const server = https.createServer({ key: ca.leafKeyPem, cert: ca.leafPem + ca.caPem }, handler);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `https://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
