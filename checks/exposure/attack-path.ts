import { TYPES, type ClusterCheck, type DependencyResult, type EvalContext, type Outcome, type ResourceRef } from '../contract.js';
import type { Cluster } from '../../lib/snapshot.js';
import { INTERNET_RULE_PERMISSIONS, REACHABILITY_PERMISSIONS } from '../../lib/network/internet.js';
import { INSTANCE_PROFILE_PERMISSIONS } from '../../lib/collect/needs.js';
import { errorOutcome, lookupSecurityConfiguration, nameFromRef } from '../../lib/lookup.js';
import { clusterExposure, describeBlocked, describeFixes, describeGaps, describePath, networkPaths, pathResources, type ExposedPath } from '../../lib/network/node-exposure.js';
import { CODE_RUNNING_APPS, installedCodeApps, type Closer, type CodeRunningApp } from '../../lib/network/code-ports.js';
import { complianceFor } from '../../lib/compliance.js';

/** The iam checks whose results say what the instance profile lets an attacker do (quoted, not re-derived). */
export const BLAST_RADIUS_CHECKS = ['iam/instance-profile-admin', 'iam/instance-profile-privilege-escalation', 'iam/instance-profile-wildcard-data-access'] as const;

/** Exposed applications a FAIL message names before "and N more" (every path is in `network`). */
const NAMED = 3;
/** A quoted iam reason is cut here: the finding description holds 1,024 characters. */
const REASON_MAX = 160;

type Verdict = 'open' | 'closed' | 'unknown';

interface Authentication {
  kerberos: boolean | undefined;
  ldap: boolean | undefined;
  /** Why what is undefined above could not be read. */
  unknown?: string;
  realm?: string;
}

/**
 * Kerberos as `authentication/no-authentication` reads it (the security configuration's
 * KerberosConfiguration, or a Realm on the cluster); LDAP is the security configuration's
 * `LDAPConfiguration` with `EnableLDAPAuthentication` true. A realm on the cluster settles Kerberos
 * even when the configuration could not be read; nothing settles LDAP then.
 */
function authenticationOf(cluster: Cluster, ctx: EvalContext): Authentication {
  const realm = cluster.kerberos?.realm;
  const found = lookupSecurityConfiguration(cluster, ctx);
  if (found.kind === 'none') return { kerberos: realm !== undefined, ldap: false, ...(realm ? { realm } : {}) };
  if (found.kind === 'error') return { kerberos: realm !== undefined ? true : undefined, ldap: undefined, unknown: found.reason, ...(realm ? { realm } : {}) };
  const auth = found.config.authentication;
  const configRealm = auth?.kerberos?.realm ?? realm;
  return { kerberos: auth?.kerberos !== undefined || realm !== undefined, ldap: auth?.ldap === true, ...(configRealm ? { realm: configRealm } : {}) };
}

function verdictOf(app: CodeRunningApp, auth: Authentication): Verdict {
  const has = (c: Closer): boolean | undefined => (c === 'kerberos' ? auth.kerberos : auth.ldap);
  if (app.closedBy.some((c) => has(c) === true)) return 'closed';
  return app.closedBy.every((c) => has(c) === false) ? 'open' : 'unknown';
}

const CLOSER_NAME: Record<Closer, string> = { kerberos: 'Kerberos', ldap: 'LDAP integration' };

function whyOpen(app: CodeRunningApp): string {
  return `no ${app.closedBy.map((c) => CLOSER_NAME[c]).join(' and no ')}`;
}

function whatCloses(app: CodeRunningApp, auth: Authentication): string {
  const by = app.closedBy.filter((c) => (c === 'kerberos' ? auth.kerberos : auth.ldap) === true);
  return `${app.name} by ${by.map((c) => (c === 'kerberos' && auth.realm ? `Kerberos (realm ${auth.realm})` : CLOSER_NAME[c])).join(' and ')}`;
}

/**
 * A result's one-line reason: its first sentence, on one line and bounded; for a FAIL only the
 * statement before its first colon ("Role r is administrator-equivalent"), the detail being in
 * the iam finding itself.
 */
function oneLineReason(message: string, headOnly: boolean): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  const ends = [flat.search(/\.(\s|$)/), headOnly ? flat.indexOf(': ') : -1].filter((i) => i > 0);
  const first = ends.length > 0 ? flat.slice(0, Math.min(...ends)) : flat;
  return first.length > REASON_MAX ? `${first.slice(0, REASON_MAX - 1)}…` : first;
}

/**
 * What the role can do once an attacker runs code on a node: the FAIL results of the iam checks
 * with their one-line reason, or "no broad permission found"; a check that could not decide (or
 * was not evaluated) is named, so "no broad permission" is never claimed over an unknown.
 */
export function blastRadius(dependencies: ReadonlyMap<string, readonly DependencyResult[]> | undefined): string {
  const fails: string[] = [];
  const unknown: string[] = [];
  for (const id of BLAST_RADIUS_CHECKS) {
    const results = dependencies?.get(id);
    if (!results) {
      unknown.push(`${id} was not evaluated`);
      continue;
    }
    for (const r of results) {
      if (r.status === 'FAIL') fails.push(`${id}: ${oneLineReason(r.message, true)}`);
      else if (r.status === 'ERROR') unknown.push(`${id} could not decide (${oneLineReason(r.message, false)})`);
    }
  }
  const notKnown = unknown.length > 0 ? `; not known: ${unknown.join('; ')}` : '';
  if (fails.length > 0) return `${fails.join('; ')}${notKnown}`;
  return unknown.length > 0 ? `no broad permission found by the checks that could decide${notKnown}` : 'no broad permission found';
}

interface Hit {
  app: CodeRunningApp;
  path: ExposedPath;
}

/** Each (node, application) once, on its most exposed path (paths arrive most exposed first). */
function hitsOn(paths: readonly ExposedPath[], apps: readonly CodeRunningApp[]): Hit[] {
  const out: Hit[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const o = path.opening;
    if (o.transport !== 'tcp') continue;
    for (const app of apps) {
      if (app.port < o.from || app.port > o.to) continue;
      const key = `${path.node.id}\u0000${app.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ app, path });
    }
  }
  return out;
}

/** The instance profile's role as a resource of the finding, from the snapshot (not from lib/iam). */
function roleRefs(cluster: Cluster, ctx: EvalContext): ResourceRef[] {
  const ref = cluster.ec2?.instanceProfile;
  if (!ref) return [];
  const profile = ctx.region.snapshot.instanceProfiles[ref];
  const roleName = profile?.roleNames[0];
  const role = roleName ? ctx.region.snapshot.roles[roleName] : undefined;
  const out: ResourceRef[] = [];
  if (roleName) out.push({ type: 'AwsIamRole', id: roleName, arn: role?.arn ?? `arn:${ctx.region.partition}:iam::${ctx.region.accountId}:role/${roleName}` });
  if (profile) out.push({ type: 'AwsIamInstanceProfile', id: profile.name, arn: profile.arn });
  return out;
}

function roleText(cluster: Cluster, ctx: EvalContext): string {
  const ref = cluster.ec2?.instanceProfile;
  if (!ref) return 'its instance profile';
  const roleName = ctx.region.snapshot.instanceProfiles[ref]?.roleNames[0];
  return roleName ? `its instance profile role ${roleName}` : `its instance profile ${nameFromRef(ref)}`;
}

const APP_LIST = CODE_RUNNING_APPS.map((a) => (a.name === 'Hadoop' ? 'Hadoop (YARN)' : a.name)).join(', ');

/**
 * One outcome per cluster. As for `exposure/internet-reachable-port`, a path known to be open to
 * an unauthenticated application is a FAIL even when another part could not be read (the FAIL
 * names it); an ERROR only when nothing is known to be open and something that could open it was
 * not read.
 */
export const check: ClusterCheck = {
  id: 'exposure/attack-path',
  title: 'Anyone on the internet can run code on a node and act as the instance profile',
  severity: 'CRITICAL',
  scope: 'cluster',
  description:
    'A running node is reachable from the internet (route, network ACL and security group, end to end) on the port of an installed application that runs code for whoever connects — YARN ResourceManager 8088, Livy 8998, JupyterHub 9443, Zeppelin 8890, HiveServer2 10000, Hue 8888 — and the cluster does not authenticate its users (Kerberos, LDAP): anyone can run code as the instance profile. The finding quotes what the role can then do.',
  types: [TYPES.initialAccess, TYPES.networkReachability],
  remediation: {
    text: 'Fix first. Close the path (revoke the security-group rule from the internet, add a network ACL deny, or move the node to a private subnet), or relaunch with a security configuration that authenticates the application (Kerberos; LDAP for Livy, HiveServer2, Hue), and narrow the instance profile role to what the jobs need.',
    url: 'https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-security-groups.html',
  },
  permissions: [
    ...INTERNET_RULE_PERMISSIONS,
    ...REACHABILITY_PERMISSIONS,
    'elasticmapreduce:ListInstanceGroups',
    'elasticmapreduce:ListInstanceFleets',
    'elasticmapreduce:DescribeCluster',
    'elasticmapreduce:DescribeSecurityConfiguration',
    // The iam checks it quotes read the role: a run of this check alone collects it too.
    ...INSTANCE_PROFILE_PERMISSIONS,
  ],
  settings: ['trustedCidrs', 'widePublicCidrPrefixV4', 'widePublicCidrPrefixV6'],
  reads: BLAST_RADIUS_CHECKS,
  compliance: complianceFor('exposure/attack-path'),
  evaluate(cluster, ctx): Outcome[] {
    if (!cluster.applications) {
      return [errorOutcome("the cluster's applications", 'DescribeCluster Applications was not collected (a snapshot or state entry written before emr-audit read it)')];
    }
    const apps = installedCodeApps(cluster.applications);
    if (apps.length === 0) {
      const installed = cluster.applications.length > 0 ? cluster.applications.join(', ') : 'none';
      return [{ status: 'PASS', message: `No application that runs code for whoever connects (${APP_LIST}) is installed (installed: ${installed}).` }];
    }
    const auth = authenticationOf(cluster, ctx);
    const verdicts = new Map(apps.map((a) => [a, verdictOf(a, auth)]));
    const candidates = apps.filter((a) => verdicts.get(a) !== 'closed');
    if (candidates.length === 0) {
      return [{ status: 'PASS', message: `Every installed application that runs code authenticates its users: ${apps.map((a) => whatCloses(a, auth)).join('; ')}.` }];
    }

    const found = clusterExposure(cluster, ctx, { ports: () => candidates.map((a) => ({ transport: 'tcp' as const, from: a.port, to: a.port })) });
    if (!found.ok) return [errorOutcome("the cluster's instances", found.reason)];
    const exp = found.value;
    if (exp.nodes.length === 0) return [{ status: 'NOT_APPLICABLE', message: 'The cluster has no RUNNING node yet.' }];

    const hits = hitsOn(exp.paths, candidates);
    const open = hits.filter((h) => verdicts.get(h.app) === 'open');
    const undecided = hits.filter((h) => verdicts.get(h.app) === 'unknown');
    const gaps = exp.gaps.length > 0 ? ` Not examined (could not be read): ${describeGaps(exp.gaps)}.` : '';
    const authGap = undecided.length > 0 ? ` Not decided (the authentication could not be read: ${auth.unknown ?? 'unknown'}): ${[...new Set(undecided.map((h) => `${h.app.name} tcp ${h.app.port} on ${h.path.node.id}`))].join(', ')}.` : '';

    if (open.length > 0) {
      const shown = open.slice(0, NAMED).map((h) => `${h.app.name} (${h.app.service}, tcp ${h.app.port}: ${h.app.how}) on ${describePath(h.path, ctx.settings)} — open to anyone: ${whyOpen(h.app)}`);
      const more = open.length > NAMED ? `; and ${open.length - NAMED} more` : '';
      const paths = [...new Set(open.map((h) => h.path))];
      const resources = [...pathResources(paths, ctx), ...roleRefs(cluster, ctx)];
      return [
        {
          status: 'FAIL',
          message:
            `Anyone on the internet can run code on the cluster and act as ${roleText(cluster, ctx)}: ${shown.join('; ')}${more}. ` +
            `The role can then (IMDSv2 does not help: code on the node reads the credentials): ${blastRadius(ctx.dependencies)}. ` +
            `Narrowest fix: close the path (${describeFixes(paths, cluster, ctx)}); or relaunch with ${open.some((h) => h.app.closedBy.includes('kerberos')) ? 'Kerberos' : 'the LDAP integration'} in the security configuration; or narrow the role.${authGap}${gaps}`,
          resources,
          network: networkPaths(paths),
        },
      ];
    }
    if (undecided.length > 0) {
      return [
        {
          status: 'ERROR',
          message: `Could not evaluate: the authentication unavailable — ${auth.unknown ?? 'unknown'}; ${[...new Set(undecided.map((h) => `${h.app.name} tcp ${h.app.port}`))].join(', ')} reachable from the internet on ${[...new Set(undecided.map((h) => h.path.node.id))].join(', ')}.${gaps}`,
          resources: [...pathResources([...new Set(undecided.map((h) => h.path))], ctx), ...roleRefs(cluster, ctx)],
        },
      ];
    }
    if (exp.gaps.length > 0) {
      return [errorOutcome('a part of the path from the internet', `${describeGaps(exp.gaps)} (ports ${candidates.map((a) => `${a.name} tcp ${a.port}`).join(', ')})`)];
    }
    const closed = apps.filter((a) => verdicts.get(a) === 'closed');
    const closedText = closed.length > 0 ? ` Authenticated: ${closed.map((a) => whatCloses(a, auth)).join('; ')}.` : '';
    return [
      {
        status: 'PASS',
        message: `No path from the internet reaches an unauthenticated application (${candidates.map((a) => `${a.name} tcp ${a.port}`).join(', ')}): ${describeBlocked(exp, {
          all: 'no security group of the running nodes admits those ports from the internet',
          some: (ids) => `no security group of ${ids.join(', ')} admits those ports from the internet`,
        })}.${closedText}`,
      },
    ];
  },
};
