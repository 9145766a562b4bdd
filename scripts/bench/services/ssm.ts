/** SSM (AWS JSON 1.1) answered from the simulated account. */
import type { SimAccount } from '../account.js';
import { epoch, jsonError, jsonResponse, type ParsedRequest, type SimResponse } from '../wire.js';

/** DescribeInstanceInformation: MaxResults 5–50, default 10 (API reference). */
export const SSM_MAX_RESULTS = 50;
export const SSM_DEFAULT_RESULTS = 10;
export const DHMC_SETTING_ID = '/ssm/managed-instance/default-ec2-instance-management-role';

const validation = (message: string): SimResponse => jsonError(400, 'ValidationException', message);

export function handleSsm(account: SimAccount, req: ParsedRequest): SimResponse {
  const input = req.json;
  switch (req.operation) {
    case 'DescribeInstanceInformation': {
      const max = input['MaxResults'] === undefined ? SSM_DEFAULT_RESULTS : Number(input['MaxResults']);
      if (!Number.isInteger(max) || max < 5 || max > SSM_MAX_RESULTS) return validation(`1 validation error detected: Value '${String(input['MaxResults'])}' at 'maxResults' failed to satisfy constraint: Member must have value between 5 and 50`);
      const filters = Array.isArray(input['Filters']) ? (input['Filters'] as { Key?: unknown; Values?: unknown }[]) : [];
      let ids: string[] | undefined;
      for (const f of filters) {
        if (f.Key !== 'InstanceIds') return validation(`The simulator only implements the InstanceIds filter, got ${String(f.Key)}`);
        const values = Array.isArray(f.Values) ? f.Values.filter((v): v is string => typeof v === 'string') : [];
        if (values.length > 100) return validation('Filter values must have length less than or equal to 100');
        ids = values;
      }
      const registered = ids ? ids.flatMap((id) => account.ssmInstances.get(id) ?? []) : [...account.ssmInstances.values()];
      const start = typeof input['NextToken'] === 'string' ? Number(input['NextToken']) : 0;
      const slice = registered.slice(start, start + max);
      const list = slice.map((i) => ({
        InstanceId: i.id,
        PingStatus: i.pingStatus,
        LastPingDateTime: epoch(i.lastPing),
        AgentVersion: i.agentVersion,
        IsLatestVersion: i.isLatestVersion,
        PlatformType: 'Linux',
        PlatformName: 'Amazon Linux',
        PlatformVersion: '2023',
        ResourceType: 'EC2Instance',
        IPAddress: i.privateIp,
        ComputerName: `ip-${i.privateIp.replaceAll('.', '-')}.ec2.internal`,
        AssociationStatus: 'Success',
        LastAssociationExecutionDate: epoch(i.lastPing) - 3600,
        LastSuccessfulAssociationExecutionDate: epoch(i.lastPing) - 3600,
        SourceId: i.id,
        SourceType: 'AWS::EC2::Instance',
      }));
      return jsonResponse({ InstanceInformationList: list, ...(start + max < registered.length ? { NextToken: String(start + max) } : {}) }, list.length);
    }
    case 'GetServiceSetting': {
      const id = typeof input['SettingId'] === 'string' ? input['SettingId'] : '';
      if (!id.endsWith(DHMC_SETTING_ID)) return jsonError(400, 'ServiceSettingNotFound', `The service setting ${id} was not found.`);
      const role = account.defaultHostManagementRole;
      return jsonResponse({
        ServiceSetting: {
          SettingId: DHMC_SETTING_ID,
          // An unset setting reports its default, "$None" (Status Default).
          SettingValue: role ?? '$None',
          LastModifiedDate: epoch(account.now) - 86_400 * 30,
          LastModifiedUser: role ? `arn:aws:iam::${account.accountId}:root` : 'System',
          ARN: `arn:aws:ssm:${account.region}:${account.accountId}:servicesetting${DHMC_SETTING_ID}`,
          Status: role ? 'Customized' : 'Default',
        },
      });
    }
    default:
      return jsonError(400, 'UnknownOperationException', `The simulator does not implement ssm:${req.operation}`);
  }
}
