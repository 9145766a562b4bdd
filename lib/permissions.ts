/**
 * STUB (deployment helper): the least-privilege IAM policy of emr-audit, derived from the
 * permissions the checks and collectors declare, plus Security Hub import/read.
 */
export interface PolicyDocumentJson {
  Version: '2012-10-17';
  Statement: Array<{ Sid: string; Effect: 'Allow'; Action: string[]; Resource: string | string[] }>;
}

export function buildAuditPolicy(_options: { publish: boolean }): PolicyDocumentJson {
  throw new Error('not implemented');
}
