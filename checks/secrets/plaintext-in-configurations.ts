import { TYPES, type ClusterCheck, type Outcome } from '../contract.js';
import { complianceFor } from '../../lib/compliance.js';

/** Properties a FAIL message names before "and N more" (a finding description holds 1,024 characters). */
const NAMED = 8;

/**
 * Reads only the names the collector kept (lib/configuration-credentials.ts): the values never
 * reached the snapshot, so no message can quote one.
 */
export const check: ClusterCheck = {
  id: 'secrets/plaintext-in-configurations',
  title: "Cluster Configurations hold a credential in clear",
  severity: 'HIGH',
  scope: 'cluster',
  description:
    "A property of the cluster's Configurations whose name marks a credential (…password, …secret, …secret.key, …access.key, …token, …credentials) holds a literal value instead of a reference to Secrets Manager, SSM or a credential store: anyone allowed elasticmapreduce:DescribeCluster — the AWS managed ReadOnlyAccess and SecurityAudit policies included — reads it in clear. The finding names the classification and property, never the value.",
  types: [TYPES.bestPractices, 'Sensitive Data Identifications/Passwords', TYPES.dataExposure],
  remediation: {
    text: 'Rotate the exposed credential now (it has been readable by every principal allowed DescribeCluster). Move the value to AWS Secrets Manager (or a Hadoop credential provider such as jceks:// on S3) and reference it, e.g. an external Hive metastore password through the metastore secret, then relaunch the cluster: Configurations cannot be changed on a running cluster.',
    url: 'https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-hive-metastore-external.html',
  },
  permissions: ['elasticmapreduce:DescribeCluster'],
  settings: [],
  compliance: complianceFor('secrets/plaintext-in-configurations'),
  evaluate(cluster): Outcome[] {
    const found = cluster.configurationCredentials;
    if (!found) {
      return [
        {
          status: 'ERROR',
          message:
            "Could not evaluate: the cluster's Configurations unavailable — DescribeCluster Configurations was not reduced to credential names (a snapshot or state entry written before emr-audit read them).",
        },
      ];
    }
    if (found.length === 0) return [{ status: 'PASS', message: "No property of the cluster's Configurations holds a literal credential." }];
    const named = found.slice(0, NAMED).map((p) => `${p.property} in ${p.classification}`);
    const more = found.length > NAMED ? `, and ${found.length - NAMED} more` : '';
    return [
      {
        status: 'FAIL',
        message: `The cluster's Configurations hold ${found.length === 1 ? 'a literal credential' : `${found.length} literal credentials`}: ${named.join(', ')}${more}. Anyone allowed elasticmapreduce:DescribeCluster (ReadOnlyAccess and SecurityAudit included) reads ${found.length === 1 ? 'it' : 'them'} in clear. Rotate ${found.length === 1 ? 'it' : 'them'}, move the value to Secrets Manager or a credential provider, and relaunch.`,
      },
    ];
  },
};
