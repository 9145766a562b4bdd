/**
 * Settings: every one has a default, every one can be set by an environment variable (the Lambda
 * reads them from serverless.yml) and by the CLI (`--set key=value`, key either the camelCase name
 * or the variable). Invalid values stop the run at start with a message naming the variable.
 */
import * as z from 'zod';
import ipaddr from 'ipaddr.js';
import { BOOL_FALSE, BOOL_TRUE, type ValueShape } from './settings-shape.js';

/** EMR application and cluster-manager ports (CHECKS.md `network/application-port-from-internet`). */
export const DEFAULT_APPLICATION_PORTS: Readonly<Record<number, string>> = {
  4040: 'Spark application UI',
  8020: 'HDFS NameNode RPC',
  8042: 'YARN NodeManager UI',
  8080: 'Zeppelin / Tomcat',
  8088: 'YARN ResourceManager UI',
  8443: 'EMR cluster manager (instance controller)',
  8888: 'Hue',
  8890: 'Zeppelin',
  8998: 'Livy',
  9083: 'Hive metastore',
  9443: 'JupyterHub',
  9870: 'HDFS NameNode UI',
  10000: 'HiveServer2',
  10002: 'HiveServer2 UI',
  16010: 'HBase Master UI',
  18080: 'Spark history server',
  19888: 'MapReduce JobHistory server',
  20888: 'YARN web proxy (Spark UI)',
  50070: 'HDFS NameNode UI (Hadoop 2)',
};

export interface PortRange {
  from: number;
  to: number;
}

export interface Settings {
  /** Regions to audit; empty means the configured/deployment region. */
  regions: string[];
  disabledChecks: string[];
  /** Sources exempt from `network/ssh-from-internet` (CIDRs, IPv4 or IPv6). */
  trustedCidrs: string[];
  /** Ports a public rule may cover without an `network/other-port-from-internet` finding. */
  allowedPublicPorts: PortRange[];
  /** Port → service name for `network/application-port-from-internet`. */
  applicationPorts: Record<number, string>;
  /**
   * Also treat public (globally routable) CIDRs shorter than /N as "from the internet".
   * Undefined: only 0.0.0.0/0 and ::/0 are.
   */
  widePublicCidrPrefixV4?: number;
  widePublicCidrPrefixV6?: number;
  ssmGraceMinutes: number;
  maxMinorReleasesBehind: number;
  minimumMajorRelease: number;
  requireKmsForS3: boolean;
  reportPassed: boolean;
  /** Concurrent calls per AWS API. */
  apiConcurrency: number;
  /** SDK max attempts (adaptive retry mode). */
  maxAttempts: number;
  /** Scales the API rate quotas the collectors pace themselves to (lib/collect/quotas.ts). */
  rateMultiplier: number;
  /** Lambda: stop collecting this many seconds before the time limit. */
  timeMarginSeconds: number;
}

/** A parser, with the machine-readable shape of what it accepts (lib/settings-shape.ts). */
export interface Parser<T> {
  (raw: string): T;
  readonly shape: ValueShape;
}

function withShape<T>(shape: ValueShape, parse: (raw: string) => T): Parser<T> {
  return Object.assign(parse, { shape });
}

const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

const list: Parser<string[]> = withShape({ kind: 'list', item: { kind: 'text' } }, splitList);

const bool: Parser<boolean> = withShape({ kind: 'bool' }, (raw) => {
  const v = raw.trim().toLowerCase();
  if ((BOOL_TRUE as readonly string[]).includes(v)) return true;
  if ((BOOL_FALSE as readonly string[]).includes(v) || v === '') return false;
  throw new Error(`expected true or false, got "${raw}"`);
});

const int = (min: number, max: number): Parser<number> =>
  withShape({ kind: 'int', min, max }, (raw) => {
    const n = z.coerce.number().int().min(min).max(max).safeParse(raw.trim());
    if (!n.success || raw.trim() === '') throw new Error(`expected a whole number from ${min} to ${max}, got "${raw}"`);
    return n.data;
  });

const port = int(0, 65535);

const decimal = (min: number, max: number): Parser<number> =>
  withShape({ kind: 'decimal', min, max }, (raw) => {
    const n = z.coerce.number().min(min).max(max).safeParse(raw.trim());
    if (!n.success || raw.trim() === '') throw new Error(`expected a number from ${min} to ${max}, got "${raw}"`);
    return n.data;
  });

const portRanges: Parser<PortRange[]> = withShape({ kind: 'list', item: { kind: 'portRange' } }, (raw) =>
  splitList(raw).map((item) => {
    const [a, b, extra] = item.split('-');
    if (a === undefined || extra !== undefined) throw new Error(`"${item}" is not a port or port range`);
    const from = port(a);
    const to = b === undefined ? from : port(b);
    if (to < from) throw new Error(`"${item}": range end is below its start`);
    return { from, to };
  }),
);

const cidrs: Parser<string[]> = withShape({ kind: 'list', item: { kind: 'cidr' } }, (raw) =>
  splitList(raw).map((item) => {
    try {
      const [addr, len] = ipaddr.parseCIDR(item);
      return `${addr.toString()}/${len}`;
    } catch {
      throw new Error(`"${item}" is not a CIDR (e.g. 203.0.113.0/24 or 2001:db8::/32)`);
    }
  }),
);

/** An AWS Region name (`eu-west-1`, `us-gov-west-1`): the same expression checks and documents it. */
const REGION_SOURCE = '[a-z]{2}(?:-[a-z]+)+-[0-9]+';
const REGION = new RegExp(`^${REGION_SOURCE}$`);

const regionList: Parser<string[]> = withShape({ kind: 'list', item: { kind: 'pattern', source: REGION_SOURCE, description: 'an AWS Region name (e.g. eu-west-1)' } }, (raw) =>
  splitList(raw).map((r) => {
    if (!REGION.test(r)) throw new Error(`"${r}" is not an AWS region name`);
    return r;
  }),
);

const applicationPorts: Parser<Record<number, string>> = withShape({ kind: 'list', item: { kind: 'portName' } }, (raw) => {
  const out: Record<number, string> = {};
  for (const item of splitList(raw)) {
    const [p, ...name] = item.split(':');
    const n = port(p ?? '');
    out[n] = name.join(':').trim() || DEFAULT_APPLICATION_PORTS[n] || 'application port';
  }
  return out;
});

export interface SettingSpec<K extends keyof Settings> {
  key: K;
  env: string;
  parse: Parser<Settings[K]>;
  doc: string;
  /** How the default is shown in docs. */
  defaultText: string;
}

function spec<K extends keyof Settings>(s: SettingSpec<K>): SettingSpec<K> {
  return s;
}

/** Every setting, in documentation order. */
export const SETTING_SPECS = [
  spec({ key: 'regions', env: 'EMR_AUDIT_REGIONS', parse: regionList, defaultText: 'the configured region', doc: 'Comma-separated regions to audit.' }),
  spec({ key: 'disabledChecks', env: 'EMR_AUDIT_DISABLED_CHECKS', parse: list, defaultText: '(none)', doc: 'Comma-separated check ids that are not run at all.' }),
  spec({ key: 'trustedCidrs', env: 'EMR_AUDIT_TRUSTED_CIDRS', parse: cidrs, defaultText: '(none)', doc: 'CIDRs whose SSH access is not reported by `network/ssh-from-internet`.' }),
  spec({ key: 'allowedPublicPorts', env: 'EMR_AUDIT_ALLOWED_PUBLIC_PORTS', parse: portRanges, defaultText: '(none)', doc: 'Ports or ranges (e.g. `443,8000-8010`) a rule from the internet may open without a `network/other-port-from-internet` finding.' }),
  spec({ key: 'applicationPorts', env: 'EMR_AUDIT_APPLICATION_PORTS', parse: applicationPorts, defaultText: 'the EMR list in CHECKS.md', doc: 'Ports (optionally `port:name`) that `network/application-port-from-internet` treats as EMR application ports; replaces the default list.' }),
  spec({ key: 'widePublicCidrPrefixV4', env: 'EMR_AUDIT_WIDE_PUBLIC_CIDR_V4', parse: int(1, 32), defaultText: 'off', doc: 'Also treat public IPv4 CIDRs shorter than /N as "from the internet".' }),
  spec({ key: 'widePublicCidrPrefixV6', env: 'EMR_AUDIT_WIDE_PUBLIC_CIDR_V6', parse: int(1, 128), defaultText: 'off', doc: 'Also treat public IPv6 CIDRs shorter than /N as "from the internet".' }),
  spec({ key: 'ssmGraceMinutes', env: 'EMR_AUDIT_SSM_GRACE_MINUTES', parse: int(0, 10_080), defaultText: '15', doc: 'Minutes a new instance may run before `ssm/instance-not-managed` judges it.' }),
  spec({ key: 'maxMinorReleasesBehind', env: 'EMR_AUDIT_MAX_MINOR_RELEASES_BEHIND', parse: int(0, 1000), defaultText: '6', doc: 'Minor releases a cluster may trail the newest of its major.' }),
  spec({ key: 'minimumMajorRelease', env: 'EMR_AUDIT_MINIMUM_MAJOR_RELEASE', parse: int(0, 100), defaultText: '6', doc: 'Oldest acceptable EMR major release.' }),
  spec({ key: 'requireKmsForS3', env: 'EMR_AUDIT_REQUIRE_KMS_FOR_S3', parse: bool, defaultText: 'false', doc: 'Also fail `encryption/s3-unencrypted` when EMRFS uses SSE-S3 (Amazon S3-managed keys) rather than a KMS or custom key.' }),
  spec({ key: 'reportPassed', env: 'EMR_AUDIT_REPORT_PASSED', parse: bool, defaultText: 'false', doc: 'Also import PASSED findings into Security Hub each run (billed ingestion events).' }),
  spec({ key: 'apiConcurrency', env: 'EMR_AUDIT_API_CONCURRENCY', parse: int(1, 64), defaultText: '4', doc: 'Concurrent calls per AWS API.' }),
  spec({ key: 'maxAttempts', env: 'EMR_AUDIT_MAX_ATTEMPTS', parse: int(1, 30), defaultText: '10', doc: 'AWS SDK max attempts per call (adaptive retry).' }),
  spec({ key: 'rateMultiplier', env: 'EMR_AUDIT_RATE_MULTIPLIER', parse: decimal(0.05, 100), defaultText: '1', doc: 'Scales the API request rates the audit paces itself to (AWS default quotas): e.g. `2` for an account with raised EMR quotas, `0.5` to leave more room to other workloads.' }),
  spec({ key: 'timeMarginSeconds', env: 'EMR_AUDIT_TIME_MARGIN_SECONDS', parse: int(5, 600), defaultText: '60', doc: 'Lambda: stop collecting this long before the time limit and publish what was evaluated.' }),
] as const;

export function defaultSettings(): Settings {
  return {
    regions: [],
    disabledChecks: [],
    trustedCidrs: [],
    allowedPublicPorts: [],
    applicationPorts: { ...DEFAULT_APPLICATION_PORTS },
    ssmGraceMinutes: 15,
    maxMinorReleasesBehind: 6,
    minimumMajorRelease: 6,
    requireKmsForS3: false,
    reportPassed: false,
    // Rate-limit assumptions behind these two, with their sources: lib/collect/index.ts.
    apiConcurrency: 4,
    maxAttempts: 10,
    rateMultiplier: 1,
    timeMarginSeconds: 60,
  };
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/**
 * Settings from the environment, then `overrides` (CLI `--set key=value`, key = camelCase name or
 * variable name). Throws SettingsError naming the variable on the first invalid value.
 */
export function loadSettings(
  env: Record<string, string | undefined>,
  overrides: Record<string, string> = {},
  options: { knownCheckIds?: readonly string[] } = {},
): Settings {
  const settings = defaultSettings();
  const byName = new Map<string, (typeof SETTING_SPECS)[number]>();
  for (const s of SETTING_SPECS) {
    byName.set(s.key.toLowerCase(), s);
    byName.set(s.env.toLowerCase(), s);
  }
  const apply = (s: (typeof SETTING_SPECS)[number], raw: string, origin: string): void => {
    try {
      // Each spec's parser returns the type of its own key; the map erases that link.
      (settings as unknown as Record<string, unknown>)[s.key] = s.parse(raw);
    } catch (e) {
      throw new SettingsError(`${origin}: ${(e as Error).message}`);
    }
  };
  for (const s of SETTING_SPECS) {
    const raw = env[s.env];
    if (raw !== undefined && raw.trim() !== '') apply(s, raw, s.env);
  }
  for (const [name, raw] of Object.entries(overrides)) {
    const s = byName.get(name.toLowerCase());
    if (!s) throw new SettingsError(`--set ${name}: unknown setting (known: ${SETTING_SPECS.map((x) => x.key).join(', ')})`);
    apply(s, raw, `--set ${name} (${s.env})`);
  }
  if (options.knownCheckIds) {
    const known = new Set(options.knownCheckIds);
    const unknown = settings.disabledChecks.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new SettingsError(`EMR_AUDIT_DISABLED_CHECKS: unknown check id ${unknown.map((u) => `"${u}"`).join(', ')} (see \`emr-audit checks\`)`);
    }
  }
  return settings;
}
