import { describe, expect, it } from 'vitest';
import { classifyInternetRules, type ClassifySettings } from '../../lib/network/classify.js';
import { defaultSettings } from '../../lib/settings.js';
import type { CollectionError, IngressRule, PrefixList } from '../../lib/snapshot.js';
import { ACCOUNT, accessDenied, makeGroup } from '../helpers/fixtures.js';

const ANY4 = { type: 'cidr4', cidr: '0.0.0.0/0' } as const;
const ANY6 = { type: 'cidr6', cidr: '::/0' } as const;

function tcp(from: number, to = from, source: IngressRule['source'] = ANY4): IngressRule {
  return { protocol: 'tcp', fromPort: from, toPort: to, source };
}

function classifyOne(rule: IngressRule, settings: Partial<ClassifySettings> = {}) {
  const result = classifyInternetRules([makeGroup({ groupId: 'sg-a', ingress: [rule] })], { ...defaultSettings(), ...settings });
  if (result.length === 0) return undefined;
  const [r] = result;
  return { allTraffic: r!.allTraffic, ssh: r!.ssh, sshTrusted: r!.sshTrusted, app: r!.applicationPorts, other: r!.otherPort };
}

const none = { allTraffic: false, ssh: false, sshTrusted: false, app: [], other: false };

describe('classifyInternetRules', () => {
  it.each([
    ['tcp 22 → ssh', tcp(22), {}, { ...none, ssh: true }],
    ['tcp 22 from ::/0 → ssh', tcp(22, 22, ANY6), {}, { ...none, ssh: true }],
    ['protocol -1 → all traffic only (no ssh/application double report)', { protocol: '-1', source: ANY4 }, {}, { ...none, allTraffic: true }],
    ['protocol -1 with -1 ports → all traffic', { protocol: '-1', fromPort: -1, toPort: -1, source: ANY6 }, {}, { ...none, allTraffic: true }],
    ['tcp 0-65535 → all traffic only', tcp(0, 65535), {}, { ...none, allTraffic: true }],
    ['udp 0-65535 → all traffic', { protocol: 'udp', fromPort: 0, toPort: 65535, source: ANY4 }, {}, { ...none, allTraffic: true }],
    ['tcp 1-65535 → ssh and every application port, not all traffic', tcp(1, 65535), {}, { ...none, ssh: true, app: Object.keys(defaultSettings().applicationPorts).map(Number) }],
    ['tcp 8000-9000 → application only (reported whole)', tcp(8000, 9000), {}, { ...none, app: [8020, 8042, 8080, 8088, 8443, 8888, 8890, 8998] }],
    ['tcp 0-9000 → ssh and application', tcp(0, 9000), {}, { ...none, ssh: true, app: [4040, 8020, 8042, 8080, 8088, 8443, 8888, 8890, 8998] }],
    ['tcp 8443 → application', tcp(8443), {}, { ...none, app: [8443] }],
    ['udp 22 → other (ssh is tcp)', { protocol: 'udp', fromPort: 22, toPort: 22, source: ANY4 }, {}, { ...none, other: true }],
    ['udp 8088 → other (application ports are tcp)', { protocol: 'udp', fromPort: 8088, toPort: 8088, source: ANY4 }, {}, { ...none, other: true }],
    ['tcp 443 → other', tcp(443), {}, { ...none, other: true }],
    ['tcp 443 allowed → nothing', tcp(443), { allowedPublicPorts: [{ from: 443, to: 443 }] }, none],
    ['udp 443 allowed too (allowed ports are protocol-agnostic)', { protocol: 'udp', fromPort: 443, toPort: 443, source: ANY4 }, { allowedPublicPorts: [{ from: 443, to: 443 }] }, none],
    ['tcp 440-450 with only 443 allowed → other', tcp(440, 450), { allowedPublicPorts: [{ from: 443, to: 443 }] }, { ...none, other: true }],
    ['tcp 440-450 covered by two allowed ranges → nothing', tcp(440, 450), { allowedPublicPorts: [{ from: 446, to: 450 }, { from: 440, to: 445 }] }, none],
    ['allowed ports do not silence ssh', tcp(22), { allowedPublicPorts: [{ from: 22, to: 22 }] }, { ...none, ssh: true }],
    ['allowed ports do not silence application ports', tcp(8088), { allowedPublicPorts: [{ from: 8088, to: 8088 }] }, { ...none, app: [8088] }],
    ['icmp → reported by none (lead decision: no port)', { protocol: 'icmp', fromPort: -1, toPort: -1, source: ANY4 }, {}, none],
    ['icmpv6 → reported by none', { protocol: 'icmpv6', fromPort: -1, toPort: -1, source: ANY6 }, {}, none],
    ['GRE (47) → other (lead decision)', { protocol: '47', source: ANY4 }, { allowedPublicPorts: [{ from: 0, to: 65535 }] }, { ...none, other: true }],
    ['trusted tcp 22 → exempt everywhere (lead decision)', tcp(22), { trustedCidrs: ['0.0.0.0/0'] }, { ...none, sshTrusted: true }],
    ['trusted IPv6 tcp 22 → exempt', tcp(22, 22, ANY6), { trustedCidrs: ['::/0'] }, { ...none, sshTrusted: true }],
    ['an IPv4 trusted CIDR does not exempt ::/0', tcp(22, 22, ANY6), { trustedCidrs: ['0.0.0.0/0'] }, { ...none, ssh: true }],
    ['trusted tcp 22-23 → other for port 23', tcp(22, 23), { trustedCidrs: ['0.0.0.0/0'] }, { ...none, sshTrusted: true, other: true }],
    ['trusted tcp 22-23 with 23 allowed → nothing', tcp(22, 23), { trustedCidrs: ['0.0.0.0/0'], allowedPublicPorts: [{ from: 23, to: 23 }] }, { ...none, sshTrusted: true }],
    ['trusted tcp 0-9000 → application still reports (trust is for SSH only)', tcp(0, 9000), { trustedCidrs: ['0.0.0.0/0'] }, { ...none, sshTrusted: true, app: [4040, 8020, 8042, 8080, 8088, 8443, 8888, 8890, 8998] }],
    ['trusted source does not exempt all traffic', { protocol: '-1', source: ANY4 }, { trustedCidrs: ['0.0.0.0/0'] }, { ...none, allTraffic: true }],
    ['widened public /8 with N=16 → ssh', tcp(22, 22, { type: 'cidr4', cidr: '8.0.0.0/8' }), { widePublicCidrPrefixV4: 16 }, { ...none, ssh: true }],
    ['split half 0.0.0.0/1 by default → ssh', tcp(22, 22, { type: 'cidr4', cidr: '0.0.0.0/1' }), {}, { ...none, ssh: true }],
    ['52.0.0.0/8 by default → ssh', tcp(22, 22, { type: 'cidr4', cidr: '52.0.0.0/8' }), {}, { ...none, ssh: true }],
    ['widened public /8 exempt when trusted', tcp(22, 22, { type: 'cidr4', cidr: '8.0.0.0/8' }), { widePublicCidrPrefixV4: 16, trustedCidrs: ['8.0.0.0/7'] }, { ...none, sshTrusted: true }],
    ['custom application ports replace the list', tcp(8000, 9000), { applicationPorts: { 8500: 'Consul' } }, { ...none, app: [8500] }],
    ['custom application ports: 8088 is then "other"', tcp(8088), { applicationPorts: { 8500: 'Consul' } }, { ...none, other: true }],
  ] as const)('%s', (_name, rule, settings, expected) => {
    expect(classifyOne(rule as IngressRule, settings as Partial<ClassifySettings>)).toEqual(expected);
  });

  it.each([
    ['a private CIDR', tcp(22, 22, { type: 'cidr4', cidr: '10.0.0.0/8' })],
    ['a public CIDR below internet scale (a /9)', tcp(22, 22, { type: 'cidr4', cidr: '8.0.0.0/9' })],
    ['shared address space 100.64.0.0/10', tcp(22, 22, { type: 'cidr4', cidr: '100.64.0.0/10' })],
    ['a security group', { protocol: '-1', source: { type: 'securityGroup', groupId: 'sg-b' } }],
  ] as const)('ignores rules from %s', (_name, rule) => {
    expect(classifyOne(rule as IngressRule)).toBeUndefined();
  });

  describe('prefix-list sources', () => {
    const plRule = tcp(22, 22, { type: 'prefixList', prefixListId: 'pl-1' });
    const region = (lists: Record<string, PrefixList>, errors: CollectionError[] = []) => ({
      snapshot: { prefixLists: lists },
      errorsFor: (kind: string, id: string) => errors.filter((e) => e.kind === kind && e.resourceId === id),
    });
    const classify = (r: ReturnType<typeof region>, settings: Partial<ClassifySettings> = {}) =>
      classifyInternetRules([makeGroup({ groupId: 'sg-a', ingress: [plRule] })], { ...defaultSettings(), ...settings }, r);

    it('a customer list with an internet-scale entry is the internet, naming the list and the entry', () => {
      const out = classify(region({ 'pl-1': { prefixListId: 'pl-1', name: 'corp', ownerId: ACCOUNT, entries: [{ cidr: '10.0.0.0/8' }, { cidr: '0.0.0.0/0' }] } }));
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ ssh: true, via: { prefixListId: 'pl-1', name: 'corp', entries: ['0.0.0.0/0'] } });
      expect(out[0]!.unresolved).toBeUndefined();
    });

    it('a customer list of private entries, and AWS-managed lists, are not', () => {
      expect(classify(region({ 'pl-1': { prefixListId: 'pl-1', ownerId: ACCOUNT, entries: [{ cidr: '10.0.0.0/8' }, { cidr: '100.64.0.0/10' }] } }))).toEqual([]);
      expect(classify(region({ 'pl-1': { prefixListId: 'pl-1', name: 'com.amazonaws.us-east-1.s3', ownerId: 'AWS' } }))).toEqual([]);
      expect(classify(region({ 'pl-1': { prefixListId: 'pl-1', name: 'com.amazonaws.global.cloudfront.origin-facing' } }))).toEqual([]);
    });

    it('an unreadable or unknown list is unresolved, with the flags of an internet rule and the reason', () => {
      const denied = accessDenied('prefixList', 'pl-1', 'ec2:GetManagedPrefixListEntries');
      const [r] = classify(region({ 'pl-1': { prefixListId: 'pl-1', name: 'corp', ownerId: ACCOUNT } }, [denied]));
      expect(r).toMatchObject({ ssh: true });
      expect(r!.unresolved).toContain('entries of prefix list pl-1 (corp): ec2:GetManagedPrefixListEntries AccessDenied');
      const [unknown] = classifyInternetRules([makeGroup({ groupId: 'sg-b', ingress: [plRule] })], defaultSettings());
      expect(unknown!.unresolved).toContain('prefix list pl-1: the data was not collected');
    });

    it('trusted when every internet-scale entry is inside a trusted CIDR', () => {
      const lists = { 'pl-1': { prefixListId: 'pl-1', ownerId: ACCOUNT, entries: [{ cidr: '8.0.0.0/8' }] } };
      expect(classify(region(lists), { trustedCidrs: ['8.0.0.0/7'] })[0]).toMatchObject({ ssh: false, sshTrusted: true });
      expect(classify(region(lists), { trustedCidrs: ['9.0.0.0/8'] })[0]).toMatchObject({ ssh: true, sshTrusted: false });
    });
  });

  it('keeps group and rule order and the rule itself', () => {
    const a = makeGroup({ groupId: 'sg-a', ingress: [tcp(22), tcp(80, 80, { type: 'cidr4', cidr: '10.0.0.0/8' }), tcp(443)] });
    const b = makeGroup({ groupId: 'sg-b', ingress: [{ protocol: '-1', source: ANY6 }] });
    const out = classifyInternetRules([a, b], defaultSettings());
    expect(out.map((r) => [r.group.groupId, r.rule.fromPort ?? 'all'])).toEqual([
      ['sg-a', 22],
      ['sg-a', 443],
      ['sg-b', 'all'],
    ]);
  });
});
