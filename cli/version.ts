/** emr-audit's version, from our own package.json (beside cli/ in a checkout, beside dist-cli/ when packed). */
import { readFileSync } from 'node:fs';
import { IAM_CATALOGUE } from '../lib/iam/catalogue-version.js';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  // Our own file, not outside data: a plain read keeps --version instant.
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
  cached = typeof version === 'string' ? version : 'unknown';
  return cached;
}

/** What `emr-audit --version` prints: our version, then the IAM action catalogue the iam checks judge by and its date. */
export function versionText(): string {
  return `emr-audit ${packageVersion()}\nIAM action catalogue: ${IAM_CATALOGUE.package} ${IAM_CATALOGUE.version} (${IAM_CATALOGUE.date})\n`;
}
