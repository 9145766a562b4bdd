/**
 * Prefix-list sources, judged by their entries (CHECKS.md "from the internet"): an AWS-managed list
 * (owner `AWS`, name `com.amazonaws.*`) is an AWS service range and never the internet; a
 * customer-managed list is the internet when one of its entries is; a list whose entries are
 * unknown cannot be judged, so the checks that depend on its rules answer ERROR, never PASS.
 */
import { describeErrors } from '../lookup.js';
import type { CollectionError, PrefixList, ResourceKind } from '../snapshot.js';
import { isInternetCidrText, type InternetSettings } from './sources.js';

export const AWS_OWNER = 'AWS';
export const AWS_LIST_NAME_PREFIX = 'com.amazonaws.';

/** An AWS-managed list: owned by `AWS`, or named `com.amazonaws.*` (e.g. `com.amazonaws.global.cloudfront.origin-facing`). */
export function isAwsManaged(list: Pick<PrefixList, 'ownerId' | 'name'>): boolean {
  return list.ownerId === AWS_OWNER || (list.name?.startsWith(AWS_LIST_NAME_PREFIX) ?? false);
}

/** What the checks read of a region: its prefix lists and its collection errors. */
export interface PrefixListData {
  readonly snapshot: { readonly prefixLists: Readonly<Record<string, PrefixList>> };
  errorsFor(kind: ResourceKind, resourceId: string): CollectionError[];
}

/** The list and the internet-scale entries that make a prefix-list rule "from the internet". */
export interface PrefixListVia {
  prefixListId: string;
  name?: string;
  /** Internet-scale entries, in list order. */
  entries: string[];
}

export type PrefixListVerdict =
  | { kind: 'internet'; via: PrefixListVia }
  | { kind: 'not-internet' }
  | { kind: 'unknown'; reason: string };

/** `pl-0abc (corp-ranges)`. */
export function prefixListLabel(list: { prefixListId: string; name?: string | undefined }): string {
  return list.name ? `${list.prefixListId} (${list.name})` : list.prefixListId;
}

export function judgePrefixList(prefixListId: string, region: PrefixListData, settings: InternetSettings): PrefixListVerdict {
  const list = region.snapshot.prefixLists[prefixListId];
  const why = (): string => describeErrors(region.errorsFor('prefixList', prefixListId));
  if (!list) return { kind: 'unknown', reason: `prefix list ${prefixListId}: ${why()}` };
  if (isAwsManaged(list)) return { kind: 'not-internet' };
  if (!list.entries) return { kind: 'unknown', reason: `entries of prefix list ${prefixListLabel(list)}: ${why()}` };
  const entries = list.entries.map((e) => e.cidr).filter((cidr) => isInternetCidrText(cidr, settings));
  if (entries.length === 0) return { kind: 'not-internet' };
  return { kind: 'internet', via: list.name ? { prefixListId, name: list.name, entries } : { prefixListId, entries } };
}
