/**
 * SSM reads: which RUNNING instances are registered (DescribeInstanceInformation, batched by the
 * 50-id limit of its InstanceIds filter) and the region's Default Host Management Configuration.
 */
import { DescribeInstanceInformationCommand, GetServiceSettingCommand, type InstanceInformation } from '@aws-sdk/client-ssm';
import type { DefaultHostManagement, SsmInstance } from '../snapshot.js';
import { allPages, chunk, type CallFailure, type Fetched } from './calls.js';
import { iso, regionCall, str, type RegionContext } from './context.js';

/** The InstanceIds filter of DescribeInstanceInformation takes at most 50 ids. */
export const SSM_ID_BATCH = 50;

export interface SsmBatchResult {
  registered: SsmInstance[];
  /** Every id SSM was asked about successfully (registered or not). */
  queried: string[];
  failed: Array<{ id: string; failure: CallFailure }>;
}

export function emptySsmBatchResult(): SsmBatchResult {
  return { registered: [], queried: [], failed: [] };
}

export async function describeInstanceInformation(ctx: RegionContext, instanceIds: readonly string[]): Promise<SsmBatchResult> {
  const out = emptySsmBatchResult();
  await Promise.all(chunk([...new Set(instanceIds)], SSM_ID_BATCH).map((batch) => describeInstanceInformationBatch(ctx, batch, out)));
  return out;
}

/** One batch (at most SSM_ID_BATCH distinct ids), its results added to `out`. Never rejects. */
export async function describeInstanceInformationBatch(ctx: RegionContext, batch: string[], out: SsmBatchResult): Promise<void> {
  const api = 'ssm:DescribeInstanceInformation';
  const got = await ctx.calls.attempt(api, () =>
    allPages(async (NextToken) => {
      const page = await regionCall(ctx, api, (abortSignal) =>
        ctx.clients.ssm.send(
          new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: batch }], MaxResults: SSM_ID_BATCH, NextToken }),
          { abortSignal },
        ),
      );
      return { items: page.InstanceInformationList ?? [], next: page.NextToken };
    }),
  );
  if (!got.ok) {
    for (const id of batch) out.failed.push({ id, failure: got.failures[0]! });
    return;
  }
  out.queried.push(...batch);
  const wanted = new Set(batch);
  for (const info of got.value) {
    const instance = toSsmInstance(info);
    if (instance && wanted.has(instance.instanceId)) out.registered.push(instance);
  }
}

function toSsmInstance(info: InstanceInformation): SsmInstance | undefined {
  if (!info.InstanceId) return undefined;
  // A registered instance without a ping status is not known to be online.
  const out: SsmInstance = { instanceId: info.InstanceId, pingStatus: info.PingStatus ?? 'Unknown' };
  const last = iso(info.LastPingDateTime);
  const agent = str(info.AgentVersion);
  if (last) out.lastPingDateTime = last;
  if (agent) out.agentVersion = agent;
  if (typeof info.IsLatestVersion === 'boolean') out.isLatestVersion = info.IsLatestVersion;
  return out;
}

export const DHMC_SETTING_ID = '/ssm/managed-instance/default-ec2-instance-management-role';

/**
 * Default Host Management Configuration. The setting's value is the role name (optionally with
 * its path, e.g. `service-role/AWSSystemsManagerDefaultEC2InstanceManagementRole`); unset, SSM
 * returns the default value `$None` (status `Default`), or ServiceSettingNotFound where the
 * setting does not exist — all of which mean "not enabled".
 */
export async function defaultHostManagement(ctx: RegionContext): Promise<Fetched<DefaultHostManagement>> {
  const api = 'ssm:GetServiceSetting';
  const got = await ctx.calls.attempt(api, () =>
    regionCall(ctx, api, (abortSignal) => ctx.clients.ssm.send(new GetServiceSettingCommand({ SettingId: DHMC_SETTING_ID }), { abortSignal })),
  );
  if (!got.ok) {
    if (got.failures[0]?.code === 'ServiceSettingNotFound') return { ok: true, value: { enabled: false } };
    return got;
  }
  const value = str(got.value.ServiceSetting?.SettingValue?.trim());
  if (!value || value === '$None') return { ok: true, value: { enabled: false } };
  return { ok: true, value: { enabled: true, roleName: value.slice(value.lastIndexOf('/') + 1) } };
}
