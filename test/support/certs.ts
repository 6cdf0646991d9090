// Throwaway private CA and a 127.0.0.1/localhost server certificate, made with the openssl CLI.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir } from './temp-dir.js';

const run = promisify(execFile);

/** PEM strings and file paths of a private CA and the server certificate it signed. */
export interface TestCerts {
  readonly dir: string;
  readonly caPem: string;
  readonly caFile: string;
  readonly certPem: string;
  readonly certFile: string;
  readonly keyPem: string;
  readonly keyFile: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/** Creates a CA (CA:TRUE) and a server cert for IP 127.0.0.1 and DNS localhost, valid for 2 days. */
export async function createTestCerts(commonName = 'kube-login test'): Promise<TestCerts> {
  const dir = makeTempDir('kube-login-certs-');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(
    ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${commonName} CA`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  await openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '',
    ].join('\n'),
  );
  await openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'server.crt', '-days', '2', '-sha256', '-extfile', 'server.ext'],
    dir,
  );
  const file = (name: string): string => join(dir, name);
  return {
    dir,
    caPem: readFileSync(file('ca.crt'), 'utf8'),
    caFile: file('ca.crt'),
    certPem: readFileSync(file('server.crt'), 'utf8'),
    certFile: file('server.crt'),
    keyPem: readFileSync(file('server.key'), 'utf8'),
    keyFile: file('server.key'),
  };
}
