import { describe, expect, it } from 'vitest';
import { blastRadius, check } from '../../../checks/exposure/attack-path.js';
import { CHECKS } from '../../../checks/index.js';
import type { DependencyResult, Outcome } from '../../../checks/contract.js';
import { evaluateSnapshot } from '../../../lib/evaluate.js';
import { defaultSettings } from '../../../lib/settings.js';
import type { Cluster, ClusterInstance, Ec2Instance, SecurityConfiguration, SecurityGroup } from '../../../lib/snapshot.js';
import { accessDenied, makeCluster, makeContext, makeGroup, makeSnapshot, only, type RegionInput } from '../../helpers/fixtures.js';
import { route, routeTable, tcp, vpcData } from '../../network/builders.js';
import { ADMINISTRATOR_ACCESS, awsPolicyArn, iamRegion } from '../../iam/policies.js';

const master: ClusterInstance = { id: 'ci-m', ec2InstanceId: 'i-0master', state: 'RUNNING', role: 'MASTER' };
const ec2Of = (overrides: Partial<Ec2Instance> = {}): Ec2Instance => ({
  instanceId: 'i-0master',
  state: 'running',
  subnetId: 'subnet-pub',
  vpcId: 'vpc-1',
  securityGroupIds: ['sg-master'],
  publicIpAddress: '54.1.2.3',
  ...overrides,
});

const CONFIG_PLAIN: SecurityConfiguration = { name: 'plain', encryption: { enableAtRestEncryption: true } };
const CONFIG_KERBEROS: SecurityConfiguration = { name: 'krb', authentication: { kerberos: { provider: 'ClusterDedicatedKdc' } } };
const CONFIG_LDAP: SecurityConfiguration = { name: 'ldap', authentication: { ldap: true } };
const CONFIG_LDAP_OFF: SecurityConfiguration = { name: 'ldap-off', authentication: { ldap: false } };

interface Setup {
  applications?: string[] | undefined;
  rules?: SecurityGroup['ingress'];
  config?: SecurityConfiguration | 'unreadable';
  realm?: string;
  ec2?: Ec2Instance;
  region?: RegionInput;
  dependencies?: Map<string, DependencyResult[]>;
  cluster?: Partial<Cluster>;
}

function clusterOf(setup: Setup): Cluster {
  const configName = setup.config === 'unreadable' ? 'gone' : setup.config?.name;
  return makeCluster({
    instances: [master],
    ...('applications' in setup ? (setup.applications ? { applications: setup.applications } : {}) : { applications: ['Hadoop', 'Spark', 'Livy'] }),
    ...(configName ? { securityConfiguration: configName } : {}),
    ...(setup.realm ? { kerberos: { realm: setup.realm } } : {}),
    ...setup.cluster,
  });
}

function run(setup: Setup = {}): Outcome {
  const cluster = clusterOf(setup);
  const config = setup.config;
  const region: RegionInput = {
    clusters: [cluster],
    securityGroups: { 'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'emr-master', ingress: setup.rules ?? [tcp(8998)] }) },
    ec2Instances: { 'i-0master': setup.ec2 ?? ec2Of() },
    vpc: vpcData(),
    ...(config && config !== 'unreadable' ? { securityConfigurations: { [config.name]: config } } : {}),
    ...(config === 'unreadable' ? { errors: [accessDenied('securityConfiguration', 'gone', 'elasticmapreduce:DescribeSecurityConfiguration')] } : {}),
    ...iamRegion(),
    ...setup.region,
  };
  if (config === 'unreadable') region.errors = [...(region.errors ?? []), accessDenied('securityConfiguration', 'gone', 'elasticmapreduce:DescribeSecurityConfiguration')];
  const ctx = makeContext(region);
  return only(check.evaluate(cluster, { ...ctx, dependencies: setup.dependencies ?? new Map(NO_BROAD.map((id) => [id, [{ checkId: id, status: 'PASS', severity: 'HIGH', message: 'fine.' }]])) }));
}

const NO_BROAD = ['iam/instance-profile-admin', 'iam/instance-profile-privilege-escalation', 'iam/instance-profile-wildcard-data-access'];

describe('exposure/attack-path', () => {
  it('FAILs for Livy reachable from the internet without Kerberos or LDAP: node, address, port, application, why, path, role, fix', () => {
    const o = run();
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Anyone on the internet can run code on the cluster and act as its instance profile role EMR_EC2_DefaultRole: ');
    expect(o.message).toContain('Livy (Livy REST API, tcp 8998: runs Spark code sent in a session) on i-0master (54.1.2.3) tcp 8998 from 0.0.0.0/0 through igw-1 (route table rtb-main, network ACL acl-default inbound rule 100, outbound rule 100, security group sg-master (emr-master)) — open to anyone: no Kerberos and no LDAP integration');
    expect(o.message).toContain('The role can then (IMDSv2 does not help: code on the node reads the credentials): no broad permission found.');
    expect(o.message).toContain('Narrowest fix: close the path (i-0master tcp 8998: revoke or narrow the rule tcp 8998 from 0.0.0.0/0 of sg-master (emr-master)');
    expect(o.message).toContain('or relaunch with Kerberos in the security configuration; or narrow the role.');
    expect(o.network?.map((p) => [p.instanceId, p.fromPort, p.toPort, p.gatewayId])).toEqual([['i-0master', 8998, 8998, 'igw-1']]);
    expect(o.resources?.map((r) => `${r.type} ${r.id}`)).toEqual([
      'AwsEc2SecurityGroup sg-master',
      'AwsEc2Instance i-0master',
      'AwsEc2Subnet subnet-pub',
      'AwsEc2RouteTable rtb-main',
      'AwsEc2NetworkAcl acl-default',
      'AwsIamRole EMR_EC2_DefaultRole',
      'AwsIamInstanceProfile EMR_EC2_DefaultRole',
    ]);
  });

  // Every row of the application table: installed or not, Kerberos, LDAP.
  const ROWS: Array<{ app: string; port: number; kerberosCloses: boolean; ldapCloses: boolean }> = [
    { app: 'Hadoop', port: 8088, kerberosCloses: true, ldapCloses: false },
    { app: 'Livy', port: 8998, kerberosCloses: true, ldapCloses: true },
    { app: 'JupyterHub', port: 9443, kerberosCloses: true, ldapCloses: true },
    { app: 'Zeppelin', port: 8890, kerberosCloses: true, ldapCloses: true },
    { app: 'Hive', port: 10000, kerberosCloses: true, ldapCloses: true },
    { app: 'Hue', port: 8888, kerberosCloses: false, ldapCloses: true },
  ];
  for (const row of ROWS) {
    describe(`${row.app} tcp ${row.port}`, () => {
      const base = { applications: [row.app.toLowerCase()], rules: [tcp(row.port)] };
      it('installed (names case-insensitive), reachable, no authentication: FAIL', () => {
        const o = run({ ...base, config: CONFIG_PLAIN });
        expect(o.status).toBe('FAIL');
        expect(o.message).toContain(`${row.app} (`);
        expect(o.message).toContain(`tcp ${row.port}`);
      });
      it('not installed: PASS even though the port is open', () => {
        const o = run({ applications: ['Spark'], rules: [tcp(row.port)] });
        expect(o.status).toBe('PASS');
        expect(o.message).toContain('(installed: Spark)');
      });
      it(`Kerberos ${row.kerberosCloses ? 'closes it: PASS' : 'does not close it: FAIL'}`, () => {
        expect(run({ ...base, config: CONFIG_KERBEROS }).status).toBe(row.kerberosCloses ? 'PASS' : 'FAIL');
        // A realm on the cluster is Kerberos too (as in authentication/no-authentication).
        expect(run({ ...base, realm: 'EC2.INTERNAL' }).status).toBe(row.kerberosCloses ? 'PASS' : 'FAIL');
      });
      it(`the LDAP integration ${row.ldapCloses ? 'closes it: PASS' : 'does not close it: FAIL'}`, () => {
        expect(run({ ...base, config: CONFIG_LDAP }).status).toBe(row.ldapCloses ? 'PASS' : 'FAIL');
        // An LDAPConfiguration block with EnableLDAPAuthentication not true is no LDAP integration.
        expect(run({ ...base, config: CONFIG_LDAP_OFF }).status).toBe('FAIL');
      });
      it('not reachable (the subnet routes the internet to a NAT gateway): PASS naming why', () => {
        const region: RegionInput = { vpc: vpcData({ tables: [routeTable('rtb-main', [route('0.0.0.0/0', 'nat-1')], { main: true })] }) };
        const o = run({ ...base, region });
        expect(o.status).toBe('PASS');
        expect(o.message).toContain('routes 0.0.0.0/0 to nat-1');
      });
      it('the security configuration cannot be read: ERROR naming it when only authentication decides, unless Kerberos on the cluster settles it', () => {
        const o = run({ ...base, config: 'unreadable' });
        expect(o.status).toBe('ERROR');
        expect(o.message).toContain('the authentication unavailable');
        expect(o.message).toContain('security configuration "gone"');
        if (row.kerberosCloses) expect(run({ ...base, config: 'unreadable', realm: 'R' }).status).toBe('PASS');
      });
    });
  }

  it('Hue with Kerberos but no LDAP FAILs, and says LDAP is the fix', () => {
    const o = run({ applications: ['Hue', 'Hadoop'], rules: [tcp(8888)], realm: 'EC2.INTERNAL' });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('open to anyone: no LDAP integration');
    expect(o.message).toContain('relaunch with the LDAP integration');
  });

  it('PASS when every installed application authenticates, naming how', () => {
    const o = run({ applications: ['Hadoop', 'Livy'], realm: 'EC2.INTERNAL', rules: [tcp(0, 65535)] });
    expect(o).toEqual({ status: 'PASS', message: 'Every installed application that runs code authenticates its users: Hadoop by Kerberos (realm EC2.INTERNAL); Livy by Kerberos (realm EC2.INTERNAL).' });
  });

  it('an open range covering several applications lists each; other open ports are not its business', () => {
    const o = run({ applications: ['Hadoop', 'Livy', 'Hive'], rules: [tcp(22), tcp(8000, 9000)] });
    expect(o.status).toBe('FAIL');
    expect(o.message).toContain('Hadoop (YARN ResourceManager REST API, tcp 8088');
    expect(o.message).toContain('Livy (Livy REST API, tcp 8998');
    expect(o.message).not.toContain('HiveServer2');
    expect(o.network?.every((p) => p.fromPort <= 8088 || p.fromPort <= 8998)).toBe(true);
  });

  it('ERROR when the applications were not collected', () => {
    const o = run({ applications: undefined });
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain("the cluster's applications unavailable");
  });

  it('ERROR when the path could not be read, naming what', () => {
    const o = run({ region: { vpc: vpcData({ subnets: [] }), errors: [accessDenied('subnet', 'subnet-pub', 'ec2:DescribeSubnets')] } });
    expect(o.status).toBe('ERROR');
    expect(o.message).toContain('a part of the path from the internet unavailable');
    expect(o.message).toContain('ec2:DescribeSubnets AccessDenied');
  });

  it("ERROR when the cluster's nodes are unknown; NOT_APPLICABLE with no running node", () => {
    expect(run({ cluster: { instances: undefined }, region: { errors: [accessDenied('clusterInstances', 'j-TEST00000001', 'elasticmapreduce:ListInstances')] } }).status).toBe('ERROR');
    expect(run({ cluster: { instances: [{ ...master, state: 'BOOTSTRAPPING' }] } }).status).toBe('NOT_APPLICABLE');
  });

  it('PASS when no application of the table is installed', () => {
    expect(run({ applications: [] })).toEqual({
      status: 'PASS',
      message: 'No application that runs code for whoever connects (Hadoop (YARN), Livy, JupyterHub, Zeppelin, Hive, Hue) is installed (installed: none).',
    });
  });

  it('quotes the FAIL results of the iam checks with their one-line reason', () => {
    const dependencies = new Map<string, DependencyResult[]>([
      ['iam/instance-profile-admin', [{ checkId: 'iam/instance-profile-admin', status: 'FAIL', severity: 'CRITICAL', message: 'Role R has an effective allow of * on all resources: * via managed policy AdministratorAccess statement #1. Every process on every node can use it.' }]],
      ['iam/instance-profile-privilege-escalation', [{ checkId: 'iam/instance-profile-privilege-escalation', status: 'PASS', severity: 'HIGH', message: 'No escalation.' }]],
      ['iam/instance-profile-wildcard-data-access', [{ checkId: 'iam/instance-profile-wildcard-data-access', status: 'FAIL', severity: 'HIGH', message: 'Role R allows s3:GetObject on *.\nMore.' }]],
    ]);
    const o = run({ dependencies });
    expect(o.message).toContain(
      'The role can then (IMDSv2 does not help: code on the node reads the credentials): iam/instance-profile-admin: Role R has an effective allow of * on all resources; iam/instance-profile-wildcard-data-access: Role R allows s3:GetObject on *.',
    );
  });
});

describe('blastRadius (what the role can do, quoted from the iam results)', () => {
  const pass = (checkId: string): DependencyResult => ({ checkId, status: 'PASS', severity: 'HIGH', message: 'ok.' });
  it('"no broad permission found" when every iam check passed', () => {
    expect(blastRadius(new Map(NO_BROAD.map((id) => [id, [pass(id)]])))).toBe('no broad permission found');
  });
  it('never claims "no broad permission" over an ERROR or a check that was not evaluated', () => {
    const deps = new Map<string, DependencyResult[]>([
      ['iam/instance-profile-admin', [{ checkId: 'iam/instance-profile-admin', status: 'ERROR', severity: 'CRITICAL', message: 'Could not evaluate: the role unavailable — iam:GetRole AccessDenied. More.' }]],
      ['iam/instance-profile-privilege-escalation', [pass('iam/instance-profile-privilege-escalation')]],
    ]);
    expect(blastRadius(deps)).toBe(
      'no broad permission found by the checks that could decide; not known: iam/instance-profile-admin could not decide (Could not evaluate: the role unavailable — iam:GetRole AccessDenied); iam/instance-profile-wildcard-data-access was not evaluated',
    );
  });
  it('cuts a long reason to one bounded line', () => {
    const long = `Role R ${'x'.repeat(400)}. Second.`;
    const text = blastRadius(new Map([['iam/instance-profile-admin', [{ checkId: 'iam/instance-profile-admin', status: 'FAIL', severity: 'CRITICAL', message: long }]]]));
    expect(text.startsWith('iam/instance-profile-admin: Role R x')).toBe(true);
    expect(text).toContain('…; not known:');
  });
});

describe('exposure/attack-path through the engine (dependent evaluation)', () => {
  const cluster = makeCluster({ instances: [master], applications: ['Livy'] });
  const region: RegionInput = {
    clusters: [cluster],
    securityGroups: { 'sg-master': makeGroup({ groupId: 'sg-master', groupName: 'emr-master', ingress: [tcp(8998)] }) },
    ec2Instances: { 'i-0master': ec2Of() },
    vpc: vpcData(),
    ...iamRegion({ attached: [{ name: 'AdministratorAccess', arn: awsPolicyArn('AdministratorAccess'), document: ADMINISTRATOR_ACCESS }] }),
  };
  const snapshot = makeSnapshot([region]);

  it('quotes the engine-evaluated iam/instance-profile-admin FAIL of the same cluster', () => {
    const results = evaluateSnapshot(snapshot, { checks: CHECKS, settings: defaultSettings() });
    const path = results.find((r) => r.checkId === 'exposure/attack-path')!;
    const admin = results.find((r) => r.checkId === 'iam/instance-profile-admin')!;
    expect(path.status).toBe('FAIL');
    expect(admin.status).toBe('FAIL');
    expect(path.message).toContain(`iam/instance-profile-admin: ${admin.message.split(': ')[0]}`);
  });

  it('reads the iam checks also when they are disabled or not selected, without reporting them', () => {
    const disabled = evaluateSnapshot(snapshot, { checks: CHECKS, settings: { ...defaultSettings(), disabledChecks: ['iam/instance-profile-admin'] } });
    expect(disabled.some((r) => r.checkId === 'iam/instance-profile-admin')).toBe(false);
    expect(disabled.find((r) => r.checkId === 'exposure/attack-path')!.message).toContain('iam/instance-profile-admin: ');
    const alone = evaluateSnapshot(snapshot, { checks: CHECKS, settings: defaultSettings(), checkIds: ['exposure/attack-path'] });
    expect(alone.map((r) => r.checkId)).toEqual(['exposure/attack-path']);
    expect(alone[0]!.message).toContain('iam/instance-profile-admin: ');
  });

  it('a suppressed iam finding is still quoted (suppression hides the finding, not the fact)', () => {
    const tagged = makeSnapshot([{ ...region, clusters: [{ ...cluster, tags: { 'emr-audit:suppress': 'iam/instance-profile-admin' } }] }]);
    const results = evaluateSnapshot(tagged, { checks: CHECKS, settings: defaultSettings() });
    expect(results.find((r) => r.checkId === 'iam/instance-profile-admin')!.status).toBe('SUPPRESSED');
    expect(results.find((r) => r.checkId === 'exposure/attack-path')!.message).toContain('iam/instance-profile-admin: ');
  });

  it('evaluates each read check once per cluster whoever asks first', () => {
    let calls = 0;
    const counted = CHECKS.map((c) => (c.id === 'iam/instance-profile-admin' && c.scope === 'cluster' ? { ...c, evaluate: (cl: Cluster, ctx: Parameters<typeof c.evaluate>[1]) => ((calls += 1), c.evaluate(cl, ctx)) } : c));
    evaluateSnapshot(snapshot, { checks: counted, settings: defaultSettings() });
    expect(calls).toBe(1);
  });
});
