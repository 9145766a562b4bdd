/** The reachable path in ASFF: Network, NetworkPath, and the subnet / route table / network ACL resources. */
import { describe, expect, it } from 'vitest';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { CHECKS } from '../../checks/index.js';
import { evaluateSnapshot } from '../../lib/evaluate.js';
import { buildFindings, findingContext, resultFinding } from '../../lib/report/asff.js';
import { buildJsonReport } from '../../lib/report/json.js';
import { defaultSettings } from '../../lib/settings.js';
import type { Ec2Instance } from '../../lib/snapshot.js';
import { ACCOUNT, NOW, REGION, makeCluster, makeGroup, makeSnapshot } from '../helpers/fixtures.js';
import { aclEntry, ANY6, customerList, fromPrefixList, networkAcl, node, OPEN_ACL_ENTRIES, route, routeTable, tcp, vpcData } from '../network/builders.js';
import { asffProblems } from './asff-schema.js';
import { demoInput } from './demo-input.js';
import { result, sg } from './helpers.js';

const cluster = makeCluster({ id: 'j-REACH', instances: [node({ role: 'MASTER', ec2InstanceId: 'i-0master' })] });
const ec2 = (extra: Partial<Ec2Instance> = {}): Record<string, Ec2Instance> => ({
  'i-0master': { instanceId: 'i-0master', state: 'running', subnetId: 'subnet-pub', vpcId: 'vpc-1', securityGroupIds: ['sg-master'], publicIpAddress: '54.1.2.3', ...extra },
});

function findingsFor(rules = [tcp(22)], extra: { ec2Instances?: Record<string, Ec2Instance>; vpc?: ReturnType<typeof vpcData>; prefixLists?: Record<string, ReturnType<typeof customerList>> } = {}) {
  const snapshot = makeSnapshot([
    {
      clusters: [cluster],
      securityGroups: { 'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'emr-master', ingress: rules }), 'sg-slave': makeGroup({ groupId: 'sg-slave' }) },
      ec2Instances: extra.ec2Instances ?? ec2(),
      vpc: extra.vpc ?? vpcData(),
      ...(extra.prefixLists ? { prefixLists: extra.prefixLists } : {}),
    },
  ]);
  const results = evaluateSnapshot(snapshot, { checks: CHECKS, settings: defaultSettings() });
  return { snapshot, results, findings: buildFindings(results, snapshot, NOW) };
}

const byCheck = (findings: AwsSecurityFinding[], checkId: string): AwsSecurityFinding => {
  const f = findings.find((x) => x.GeneratorId === `emr-audit/${checkId}`);
  if (!f) throw new Error(`no finding of ${checkId}`);
  return f;
};

describe('exposure/internet-reachable-port in ASFF', () => {
  const { findings, results, snapshot } = findingsFor();
  const f = byCheck(findings, 'exposure/internet-reachable-port');

  it('conforms to the AwsSecurityFinding model of the SDK (every field name and type)', () => {
    for (const x of findings) expect(asffProblems(x), x.GeneratorId).toEqual([]);
  });

  it('the schema validator catches a misspelt field', () => {
    expect(asffProblems({ ...f, Network: { DestinationIPv4: '1.2.3.4' } })).toEqual(['finding.Network.DestinationIPv4: not a member of Network']);
    expect(asffProblems({ ...f, Network: { DestinationPort: '22' } })).toEqual(['finding.Network.DestinationPort: expected a number']);
  });

  it('maps the opening to Network: inbound, protocol, destination address and port', () => {
    expect(f.Network).toEqual({ Direction: 'IN', Protocol: 'TCP', OpenPortRange: { Begin: 22, End: 22 }, DestinationPort: 22, DestinationIpV4: '54.1.2.3' });
  });

  it('maps the path to NetworkPath: internet gateway → route table → network ACL → security group → instance', () => {
    expect(f.NetworkPath?.map((c) => [c.ComponentType, c.ComponentId])).toEqual([
      ['AWS::EC2::InternetGateway', 'igw-1'],
      ['AWS::EC2::RouteTable', 'rtb-main'],
      ['AWS::EC2::NetworkAcl', 'acl-default'],
      ['AWS::EC2::SecurityGroup', 'sg-master'],
      ['AWS::EC2::Instance', 'i-0master'],
    ]);
    for (const c of f.NetworkPath ?? []) {
      expect(c.ComponentId!.length).toBeLessThanOrEqual(32);
      expect(c.ComponentType!.length).toBeLessThanOrEqual(32);
      expect(c.Ingress).toEqual({ Protocol: 'TCP', Source: { Address: ['0.0.0.0/0'] }, Destination: { Address: ['54.1.2.3'], PortRanges: [{ Begin: 22, End: 22 }] } });
    }
    // The ACL's egress is the answer its outbound rule lets out; the instance is the end of the path.
    expect(f.NetworkPath?.[2]?.Egress).toEqual({ Protocol: 'TCP', Source: { Address: ['54.1.2.3'], PortRanges: [{ Begin: 22, End: 22 }] }, Destination: { Address: ['0.0.0.0/0'], PortRanges: [{ Begin: 1024, End: 65535 }] } });
    expect(f.NetworkPath?.[4]?.Egress).toBeUndefined();
  });

  it('adds the subnet, route table and network ACL as resources with their Details from the snapshot', () => {
    expect(f.Resources?.map((r) => r.Type)).toEqual(['Other', 'AwsEc2SecurityGroup', 'AwsEc2Instance', 'AwsEc2Subnet', 'AwsEc2RouteTable', 'AwsEc2NetworkAcl']);
    const [, , , subnet, table, acl] = f.Resources!;
    expect(subnet).toEqual({
      Type: 'AwsEc2Subnet',
      Id: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-pub`,
      Partition: 'aws',
      Region: REGION,
      Details: { AwsEc2Subnet: { SubnetId: 'subnet-pub', VpcId: 'vpc-1', SubnetArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-pub`, AvailabilityZone: 'us-east-1a', CidrBlock: '10.0.1.0/24', MapPublicIpOnLaunch: true } },
    });
    expect(table?.Details?.AwsEc2RouteTable).toEqual({
      RouteTableId: 'rtb-main',
      VpcId: 'vpc-1',
      RouteSet: [
        { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
        { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1', State: 'active' },
        { DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-1', State: 'active' },
      ],
      AssociationSet: [{ Main: true, RouteTableId: 'rtb-main' }],
    });
    expect(acl?.Details?.AwsEc2NetworkAcl?.Entries?.[0]).toEqual({ RuleNumber: 100, Egress: false, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' });
    expect(acl?.Details?.AwsEc2NetworkAcl?.Entries?.find((e) => e.Ipv6CidrBlock)).toMatchObject({ RuleNumber: 101, Ipv6CidrBlock: '::/0' });
    expect(acl?.Details?.AwsEc2NetworkAcl).toMatchObject({ NetworkAclId: 'acl-default', VpcId: 'vpc-1', IsDefault: true, Associations: [] });
  });

  it('the network/* findings of the same path carry it too (network/ssh-from-internet, CRITICAL)', () => {
    const ssh = byCheck(findings, 'network/ssh-from-internet');
    expect(ssh.FindingProviderFields?.Severity?.Label).toBe('CRITICAL');
    expect(ssh.Network?.DestinationPort).toBe(22);
    expect(ssh.NetworkPath).toHaveLength(5);
  });

  it('JSON output: the structured path as an optional `network` field, absent from results without one', () => {
    const report = buildJsonReport({ results, snapshot });
    const reach = report.results.find((r) => r.checkId === 'exposure/internet-reachable-port')!;
    expect(reach.network).toEqual([expect.objectContaining({ instanceId: 'i-0master', address: '54.1.2.3', gatewayId: 'igw-1', routeTableId: 'rtb-main', networkAclId: 'acl-default', subnetId: 'subnet-pub', securityGroupId: 'sg-master' })]);
    const log = report.results.find((r) => r.checkId === 'logging/no-log-uri')!;
    expect(log).not.toHaveProperty('network');
  });
});

describe('Network for other paths', () => {
  it('IPv6: DestinationIpV6, and a port range as OpenPortRange without a DestinationPort', () => {
    const { findings } = findingsFor([tcp(8000, 8010, ANY6)], { ec2Instances: ec2({ publicIpAddress: undefined, ipv6Addresses: ['2600:1f18:abcd::10'] }) });
    const f = byCheck(findings, 'exposure/internet-reachable-port');
    expect(f.Network).toEqual({ Direction: 'IN', Protocol: 'TCP', OpenPortRange: { Begin: 8000, End: 8010 }, DestinationIpV6: '2600:1f18:abcd::10' });
    expect(asffProblems(f)).toEqual([]);
  });

  it('the most exposed opening is the one in Network: the wider range first', () => {
    const acls = [networkAcl('acl-1', [aclEntry(90, false, 'deny', '0.0.0.0/0', '6', [8080, 8080]), ...OPEN_ACL_ENTRIES], { isDefault: true })];
    const { findings } = findingsFor([tcp(22), tcp(8000, 9000)], { vpc: vpcData({ acls }) });
    expect(byCheck(findings, 'exposure/internet-reachable-port').Network?.OpenPortRange).toEqual({ Begin: 8081, End: 9000 });
  });

  it('a single-address source becomes SourceIpV4; a prefix list gives its internet entries as the path source', () => {
    const direct = resultFinding(
      result({
        checkId: 'exposure/internet-reachable-port',
        status: 'FAIL',
        network: [{ instanceId: 'i-1', family: 'ipv4', address: '54.1.2.3', protocol: 'udp', fromPort: 53, toPort: 53, sourceCidrs: ['198.51.100.7/32'], securityGroupId: 'sg-1', networkAclId: 'acl-1', inboundRule: 100, outboundRule: 100, routeTableId: 'rtb-1', gatewayId: 'igw-1', subnetId: 'subnet-1' }],
        resourceDetails: [sg('sg-1')],
      }),
      findingContext(makeSnapshot(), NOW),
      'FAILED',
    );
    expect(direct.Network).toMatchObject({ Protocol: 'UDP', SourceIpV4: '198.51.100.7', DestinationIpV4: '54.1.2.3' });
    // Without VPC data in the snapshot, a subnet resource is still listed, without Details.
    const { findings } = findingsFor([tcp(443, 443, fromPrefixList('pl-0corp'))], { prefixLists: { 'pl-0corp': customerList('pl-0corp', 'corp', ['0.0.0.0/1', '128.0.0.0/1', '10.0.0.0/8']) } });
    const f = byCheck(findings, 'exposure/internet-reachable-port');
    expect(f.NetworkPath?.[0]?.Ingress?.Source?.Address).toEqual(['0.0.0.0/1', '128.0.0.0/1']);
    expect(f.Network).not.toHaveProperty('SourceIpV4');
  });

  it('keeps within 32 resources when many nodes are reachable, naming the rest in the description', () => {
    const nodes = Array.from({ length: 40 }, (_, i) => node({ role: 'CORE', ec2InstanceId: `i-${String(i).padStart(4, '0')}` }));
    const big = makeCluster({ id: 'j-BIG', instances: nodes });
    const snapshot = makeSnapshot([
      {
        clusters: [big],
        securityGroups: { 'sg-master': makeGroup({ groupId: 'sg-master' }), 'sg-slave': makeGroup({ groupId: 'sg-slave', ingress: [tcp(22)] }) },
        ec2Instances: Object.fromEntries(nodes.map((n, i) => [n.ec2InstanceId!, { instanceId: n.ec2InstanceId!, subnetId: 'subnet-pub', vpcId: 'vpc-1', securityGroupIds: ['sg-slave'], publicIpAddress: `54.1.2.${i + 1}` }])),
        vpc: vpcData({ tables: [routeTable('rtb-main', [route('0.0.0.0/0', 'igw-1')], { main: true })] }),
      },
    ]);
    const results = evaluateSnapshot(snapshot, { checks: CHECKS.filter((c) => c.id === 'exposure/internet-reachable-port'), settings: defaultSettings() });
    const [f] = buildFindings(results, snapshot, NOW);
    expect(f?.Resources).toHaveLength(32);
    expect(f?.Description?.length).toBeLessThanOrEqual(1024);
    expect(f?.Description).toContain('more resource(s) involved, not listed under Resources');
    expect(results[0]?.message).toContain('40 running nodes are reachable from the internet');
    expect(results[0]?.network).toHaveLength(40);
    expect(asffProblems(f)).toEqual([]);
  });
});

describe('every finding of the demo account', () => {
  it('conforms to the AwsSecurityFinding model', () => {
    const input = demoInput();
    const findings = buildFindings(input.results, input.snapshot, input.startedAt);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) expect(asffProblems(f), f.Id).toEqual([]);
  });
});
