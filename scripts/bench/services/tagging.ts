/**
 * Resource Groups Tagging API (JSON 1.1) answered from the simulated account: GetResources for
 * `elasticmapreduce:cluster`, every tagged cluster (terminated ones too, as the tagging index keeps
 * them), ResourcesPerPage 1–100 (default 50), paged by an opaque token; the last page carries "".
 */
import type { SimAccount } from '../account.js';
import { jsonError, jsonResponse, type ParsedRequest, type SimResponse } from '../wire.js';

export function handleTagging(account: SimAccount, req: ParsedRequest): SimResponse {
  if (req.operation !== 'GetResources') return jsonError(400, 'InvalidParameterException', `The simulator does not implement tag:${req.operation}`);
  const types = Array.isArray(req.json['ResourceTypeFilters']) ? (req.json['ResourceTypeFilters'] as unknown[]).map(String) : undefined;
  const perPage = typeof req.json['ResourcesPerPage'] === 'number' ? req.json['ResourcesPerPage'] : 50;
  if (perPage < 1 || perPage > 100) return jsonError(400, 'InvalidParameterException', 'ResourcesPerPage must be between 1 and 100');
  const wanted = !types || types.some((t) => t === 'elasticmapreduce' || t === 'elasticmapreduce:cluster');
  const all = wanted ? account.clusters.filter((c) => Object.keys(c.tags).length > 0) : [];
  const token = typeof req.json['PaginationToken'] === 'string' ? req.json['PaginationToken'] : '';
  const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
  const page = all.slice(start, start + perPage);
  const next = start + perPage < all.length ? Buffer.from(String(start + perPage)).toString('base64') : '';
  return jsonResponse(
    { PaginationToken: next, ResourceTagMappingList: page.map((c) => ({ ResourceARN: c.arn, Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })) })) },
    page.length,
  );
}
