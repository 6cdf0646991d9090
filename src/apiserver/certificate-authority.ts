// The provider's CA bundle, checked the way kube-apiserver loads it (`cert.NewPoolFromBytes`, SPECS.md B.1, C.2).
import { X509Certificate } from 'node:crypto';
import { KubeLoginError } from '../errors.js';

/** The provider's CA as read here: `localPath` is the file given to --ca-file, `pem` its certificates. */
export interface CertificateAuthority {
  readonly localPath: string;
  readonly pem: string;
}

/** What the parsed bundle holds, for warnings. */
export interface CertificateAuthoritySummary {
  readonly subjects: readonly string[];
  readonly warnings: readonly string[];
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Checks that the text holds at least one parseable PEM certificate, as `NewPoolFromBytes` requires
 * ("data does not contain any valid RSA or ECDSA certificates" otherwise), and returns the bundle
 * normalized to its certificate blocks with `\n` line ends so that it embeds cleanly as YAML.
 */
export function parseCertificateAuthority(text: string, path: string, nowMs: number): { pem: string; summary: CertificateAuthoritySummary } {
  const blocks = text.match(PEM_BLOCK) ?? [];
  const fail = (reason: string): never => {
    throw new KubeLoginError('usage', `use ${path} as the provider CA`, reason, {
      fix: 'pass the PEM file of the CA that signed the provider\'s TLS certificate (-----BEGIN CERTIFICATE----- blocks)',
    });
  };
  if (blocks.length === 0) fail('the file holds no PEM certificate');
  const subjects: string[] = [];
  const warnings: string[] = [];
  for (const block of blocks) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch (error) {
      return fail(`a certificate in it cannot be parsed (${error instanceof Error ? error.message : String(error)})`);
    }
    const subject = certificate.subject.replace(/\n/g, ', ');
    subjects.push(subject);
    // Kubernetes authentication docs: a self-signed CA must have CA:TRUE, or Go's verifier rejects the chain.
    if (!certificate.ca) {
      warnings.push(`the certificate "${subject}" in ${path} is not a CA (basicConstraints CA:TRUE is missing); kube-apiserver's Go TLS client may refuse to use it as a root`);
    }
    if (Date.parse(certificate.validTo) < nowMs) {
      warnings.push(`the certificate "${subject}" in ${path} expired on ${certificate.validTo}`);
    }
  }
  const pem = blocks.map((block) => block.replace(/\r\n/g, '\n')).join('\n') + '\n';
  return { pem, summary: { subjects, warnings } };
}
