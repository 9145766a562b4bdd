/**
 * `--profile NAME`: the AWS profile the SDK uses. A name that is in neither shared file would
 * otherwise surface as a vague credentials error after a while; here it is a usage error naming
 * the profile, the files read, and the profiles they hold. The files are the SDK's:
 * AWS_CONFIG_FILE (default ~/.aws/config, `[profile NAME]` or `[default]`) and
 * AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials, `[NAME]`).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './args.js';

const PROFILE_NAME = /^[A-Za-z0-9_.@+=,/-]+$/;

/** Section names of an INI file that are profiles: `[profile x]` and `[default]` (config) or `[x]` (credentials). */
export function profilesIn(text: string, kind: 'config' | 'credentials'): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line);
    if (!m) continue;
    const section = m[1]!;
    if (kind === 'credentials') names.push(section);
    else if (section === 'default') names.push(section);
    else {
      const p = /^profile\s+(.+)$/.exec(section);
      if (p) names.push(p[1]!.trim());
    }
  }
  return names;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Check that `name` exists in the shared files the SDK would read; returns the name. */
export async function checkProfile(name: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (!PROFILE_NAME.test(name)) throw new UsageError(`--profile ${name}: not a profile name`);
  const home = env.HOME?.trim() || homedir();
  const configPath = env.AWS_CONFIG_FILE?.trim() || join(home, '.aws', 'config');
  const credentialsPath = env.AWS_SHARED_CREDENTIALS_FILE?.trim() || join(home, '.aws', 'credentials');
  const [config, credentials] = await Promise.all([readOptional(configPath), readOptional(credentialsPath)]);
  const known = [...new Set([...(config ? profilesIn(config, 'config') : []), ...(credentials ? profilesIn(credentials, 'credentials') : [])])];
  if (known.includes(name)) return name;
  const held = known.length > 0 ? `profiles there: ${known.join(', ')}` : 'no profile is defined there';
  throw new UsageError(`--profile ${name}: no such profile in ${configPath} or ${credentialsPath} (${held}); \`aws configure list-profiles\` lists them`);
}
