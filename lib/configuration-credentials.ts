/**
 * Which properties of a cluster's `Configurations` hold a literal credential (CHECKS.md
 * `secrets/plaintext-in-configurations`). The collector calls `credentialProperties` on the
 * DescribeCluster response and keeps its answer only: names, never a value. Nothing here returns,
 * logs or throws with a value in it.
 */

/** One property that holds a literal credential: where it is, never what it is. */
export interface CredentialProperty {
  /** The classification path, nested ones joined with `/` (`hadoop-env/export`). */
  classification: string;
  property: string;
}

/** The shape of DescribeCluster's `Configurations` (the SDK type, narrowed to what is read). */
export interface ConfigurationNode {
  Classification?: string | undefined;
  Properties?: Record<string, string | undefined> | undefined;
  Configurations?: readonly ConfigurationNode[] | undefined;
}

const CREDENTIAL_ENDINGS = ['password', 'passwd', 'secret', 'secretkey', 'accesskey', 'token', 'credentials'] as const;

/** A name marks a credential when, lowercased and without `.`, `_` and `-`, it ends with one of the endings. */
export function marksCredential(name: string): boolean {
  const squeezed = name.toLowerCase().replace(/[._-]/g, '');
  return CREDENTIAL_ENDINGS.some((e) => squeezed.endsWith(e));
}

/** Credential stores: the value names where the secret is, not the secret. */
const STORE_PREFIXES = ['jceks://', 'localjceks://', 'file:', 'hdfs://', 's3://'] as const;
/** `arn:<partition>:secretsmanager:…` or `arn:<partition>:ssm:…:parameter/…`. */
const REFERENCE_ARN = /^arn:[a-z-]+:(secretsmanager:[^:]*:\d*:secret:|ssm:[^:]*:\d*:parameter\/)/i;

/**
 * A value is a literal unless it is empty, an ARN of a Secrets Manager secret or an SSM parameter,
 * a `{{resolve:…}}` reference, or the URI of a credential store. Surrounding quotes and blanks (an
 * `export` line's `"…"`) are ignored for the decision.
 */
export function isLiteral(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().replace(/^(["'])(.*)\1$/s, '$2').trim();
  if (v === '') return false;
  if (REFERENCE_ARN.test(v)) return false;
  if (/^\{\{resolve:.*\}\}$/s.test(v)) return false;
  const lower = v.toLowerCase();
  return !STORE_PREFIXES.some((p) => lower.startsWith(p));
}

/**
 * The (classification path, property) pairs of literal credentials, in document order, each once.
 * A classification without a name is shown as `(unnamed)`; depth is bounded (EMR nests two levels)
 * so hostile input cannot recurse without end.
 */
export function credentialProperties(configurations: readonly ConfigurationNode[] | undefined): CredentialProperty[] {
  const out: CredentialProperty[] = [];
  const seen = new Set<string>();
  const walk = (nodes: readonly ConfigurationNode[] | undefined, path: readonly string[], depth: number): void => {
    if (!nodes || depth > 8) return;
    for (const node of nodes) {
      const here = [...path, node.Classification && node.Classification.trim() !== '' ? node.Classification : '(unnamed)'];
      const classification = here.join('/');
      for (const [property, value] of Object.entries(node.Properties ?? {})) {
        if (!marksCredential(property) || !isLiteral(value)) continue;
        const key = `${classification}\u0000${property}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ classification, property });
      }
      walk(node.Configurations, here, depth + 1);
    }
  };
  walk(configurations, [], 0);
  return out;
}
