/**
 * Settings: every one has a default, every one can be set by an environment variable (the Lambda
 * reads them from serverless.yml) and by the CLI (`--set key=value`, key either the camelCase name
 * or the variable). Invalid values stop the run at start with a message naming the variable.
 */
import ipaddr from 'ipaddr.js';
import { isInternetScaleCidr } from './settings-internet-scale.js';
import { BOOL_FALSE, BOOL_TRUE, type ItemShape, type ValueShape } from './settings-shape.js';
import { parseSuppressionRules, type SuppressionRule } from './suppression.js';

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
   * The internet-scale threshold (CHECKS.md "from the internet"): a CIDR is "from the internet" when
   * it holds at least as many public addresses as a CIDR shorter than /N, i.e. 2^(33−N) IPv4 or
   * 2^(129−N) IPv6 addresses (0.0.0.0/0 and ::/0 always are). Defaults 9 and 17 (2^24 public IPv4
   * addresses, a /8's worth; an IPv6 /16 of global unicast space); 1 means only 0.0.0.0/0 (::/0).
   * Undefined: the defaults (lib/network/sources.ts).
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
  /** Milliseconds an AWS call may take to open its connection before it fails (and is retried). */
  connectTimeoutMs: number;
  /** Milliseconds one attempt of an AWS call may take, answer included, before it fails (and is retried). */
  requestTimeoutMs: number;
  /** Central suppression rules (`EMR_AUDIT_SUPPRESSIONS`), each with a reason and an expiry. */
  suppressions: SuppressionRule[];
  /** Honour the `emr-audit:suppress` cluster tag (false: whoever can tag a cluster cannot silence it). */
  suppressionTags: boolean;
  /** Lambda: a RUNNING/WAITING event for a cluster audited this recently is skipped. */
  eventDebounceSeconds: number;
  /** Lambda: audit the clusters a CloudTrail-recorded change touches (DESIGN.md "Change-triggered audits"). */
  changeEvents: boolean;
}

/** Bounds of list settings and of the on-demand event's lists (an unbounded list is a slow run, or a crash). */
export const LIMITS = {
  regions: 32,
  clusterIds: 1000,
  trustedCidrs: 1000,
  ports: 1000,
  /** Without a registry to compare with. */
  checkIds: 500,
} as const;

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

/** A list of at most `max` items; the error says the bound (a count the template's pattern does not check). */
const boundedList = (max: number, item: ItemShape = { kind: 'text' }): Parser<string[]> =>
  withShape({ kind: 'list', item }, (raw) => {
    const items = splitList(raw);
    if (items.length > max) throw new Error(`at most ${max} items (got ${items.length})`);
    return items;
  });

const bool: Parser<boolean> = withShape({ kind: 'bool' }, (raw) => {
  const v = raw.trim().toLowerCase();
  if ((BOOL_TRUE as readonly string[]).includes(v)) return true;
  if ((BOOL_FALSE as readonly string[]).includes(v) || v === '') return false;
  throw new Error(`expected true or false, got "${raw}"`);
});

// Decimal digits only: Number() would also take 0x10, 1e3, " 5" or +5, and a typo would then be
// read as a different number instead of being refused. The shapes' patterns say the same
// (lib/settings-shape.ts: MAX_DIGITS is this 15).
const WHOLE = /^\d{1,15}$/;
const DECIMAL = /^\d{1,15}(\.\d{1,15})?$/;

const int = (min: number, max: number): Parser<number> =>
  withShape({ kind: 'int', min, max }, (raw) => {
    const n = WHOLE.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) throw new Error(`expected a whole number from ${min} to ${max}, got "${raw}"`);
    return n;
  });

const port = int(0, 65535);

const decimal = (min: number, max: number): Parser<number> =>
  withShape({ kind: 'decimal', min, max }, (raw) => {
    const n = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!(n >= min && n <= max)) throw new Error(`expected a number from ${min} to ${max} (decimal digits, e.g. 0.5), got "${raw}"`);
    return n;
  });

const portRanges: Parser<PortRange[]> = withShape({ kind: 'list', item: { kind: 'portRange' } }, (raw) =>
  boundedList(LIMITS.ports)(raw).map((item) => {
    const [a, b, extra] = item.split('-');
    if (a === undefined || extra !== undefined) throw new Error(`"${item}" is not a port or port range`);
    const from = port(a);
    const to = b === undefined ? from : port(b);
    if (to < from) throw new Error(`"${item}": range end is below its start`);
    return { from, to };
  }),
);

/** Trusted sources: a CIDR each, never internet-scale (that would turn "open to the internet" into a PASS). */
const trustedCidrs: Parser<string[]> = withShape({ kind: 'list', item: { kind: 'cidr' } }, (raw) =>
  boundedList(LIMITS.trustedCidrs)(raw).map((item) => {
    let cidr: string;
    try {
      const [addr, len] = ipaddr.parseCIDR(item);
      cidr = `${addr.toString()}/${len}`;
    } catch {
      throw new Error(`"${item}" is not a CIDR (e.g. 203.0.113.0/24 or 2001:db8::/32)`);
    }
    if (isInternetScaleCidr(cidr)) {
      throw new Error(`"${item}" is internet-scale (2^24 or more public IPv4 addresses, or an IPv6 /16 or shorter in 2000::/3) and cannot be trusted: list the networks you trust`);
    }
    return cidr;
  }),
);

/** An AWS Region name (`eu-west-1`, `us-gov-west-1`): the same expression checks and documents it. */
const REGION_SOURCE = '[a-z]{2}(?:-[a-z]+)+-[0-9]+';
const REGION = new RegExp(`^${REGION_SOURCE}$`);

const regionList: Parser<string[]> = withShape({ kind: 'list', item: { kind: 'pattern', source: REGION_SOURCE, description: 'an AWS Region name (e.g. eu-west-1)' } }, (raw) =>
  boundedList(LIMITS.regions)(raw).map((r) => {
    if (!REGION.test(r)) throw new Error(`"${r}" is not an AWS region name`);
    return r;
  }),
);

const applicationPorts: Parser<Record<number, string>> = withShape({ kind: 'list', item: { kind: 'portName' } }, (raw) => {
  const out: Record<number, string> = {};
  for (const item of boundedList(LIMITS.ports)(raw)) {
    const [p, ...name] = item.split(':');
    const n = port(p ?? '');
    out[n] = name.join(':').trim() || DEFAULT_APPLICATION_PORTS[n] || 'application port';
  }
  return out;
});

/** The suppression rules: JSON (commas and all), checked by lib/suppression.ts; no pattern can. */
const suppressions: Parser<SuppressionRule[]> = withShape({ kind: 'json', description: 'a JSON list of suppression rules' }, (raw) => parseSuppressionRules(raw));

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
  spec({ key: 'disabledChecks', env: 'EMR_AUDIT_DISABLED_CHECKS', parse: boundedList(LIMITS.checkIds), defaultText: '(none)', doc: 'Comma-separated check ids that are not run at all.' }),
  spec({ key: 'trustedCidrs', env: 'EMR_AUDIT_TRUSTED_CIDRS', parse: trustedCidrs, defaultText: '(none)', doc: 'CIDRs whose SSH access is not reported by `network/ssh-from-internet`. Internet-scale CIDRs (0.0.0.0/0, ::/0, any with 2^24 or more public IPv4 addresses, IPv6 /16 or shorter in 2000::/3) are refused.' }),
  spec({ key: 'allowedPublicPorts', env: 'EMR_AUDIT_ALLOWED_PUBLIC_PORTS', parse: portRanges, defaultText: '(none)', doc: 'Ports or ranges (e.g. `443,8000-8010`) a rule from the internet may open without a `network/other-port-from-internet` finding.' }),
  spec({ key: 'applicationPorts', env: 'EMR_AUDIT_APPLICATION_PORTS', parse: applicationPorts, defaultText: 'the EMR list in CHECKS.md', doc: 'Ports (optionally `port:name`) that `network/application-port-from-internet` treats as EMR application ports; replaces the default list.' }),
  spec({ key: 'widePublicCidrPrefixV4', env: 'EMR_AUDIT_WIDE_PUBLIC_CIDR_V4', parse: int(1, 32), defaultText: '9', doc: 'Treat an IPv4 CIDR holding as many public addresses as a CIDR shorter than /N (2^(33−N)) as "from the internet"; 0.0.0.0/0 always is. The default 9 means 2^24, a /8\'s worth (`0.0.0.0/1`, `52.0.0.0/8`); private and other non-public space never counts. Raise N to catch narrower CIDRs, `1` for only 0.0.0.0/0.' }),
  spec({ key: 'widePublicCidrPrefixV6', env: 'EMR_AUDIT_WIDE_PUBLIC_CIDR_V6', parse: int(1, 128), defaultText: '17', doc: 'The same for IPv6, counting global unicast (2000::/3) public addresses: the default 17 makes a /16 inside 2000::/3 (or any wider CIDR holding one) "from the internet"; ::/0 always is. `1` for only ::/0.' }),
  spec({ key: 'ssmGraceMinutes', env: 'EMR_AUDIT_SSM_GRACE_MINUTES', parse: int(0, 10_080), defaultText: '15', doc: 'Minutes a new instance may run before `ssm/instance-not-managed` judges it.' }),
  spec({ key: 'maxMinorReleasesBehind', env: 'EMR_AUDIT_MAX_MINOR_RELEASES_BEHIND', parse: int(0, 1000), defaultText: '6', doc: 'Minor releases a cluster may trail the newest of its major.' }),
  spec({ key: 'minimumMajorRelease', env: 'EMR_AUDIT_MINIMUM_MAJOR_RELEASE', parse: int(0, 100), defaultText: '6', doc: 'Oldest acceptable EMR major release.' }),
  spec({ key: 'requireKmsForS3', env: 'EMR_AUDIT_REQUIRE_KMS_FOR_S3', parse: bool, defaultText: 'false', doc: 'Also fail `encryption/s3-unencrypted` when EMRFS uses SSE-S3 (Amazon S3-managed keys) rather than a KMS or custom key.' }),
  spec({ key: 'reportPassed', env: 'EMR_AUDIT_REPORT_PASSED', parse: bool, defaultText: 'false', doc: 'Also import PASSED findings into Security Hub each run (billed ingestion events).' }),
  spec({ key: 'apiConcurrency', env: 'EMR_AUDIT_API_CONCURRENCY', parse: int(1, 64), defaultText: '4', doc: 'Concurrent calls per AWS API.' }),
  spec({ key: 'maxAttempts', env: 'EMR_AUDIT_MAX_ATTEMPTS', parse: int(1, 30), defaultText: '10', doc: 'AWS SDK max attempts per call (adaptive retry).' }),
  spec({ key: 'rateMultiplier', env: 'EMR_AUDIT_RATE_MULTIPLIER', parse: decimal(0.05, 100), defaultText: '1', doc: 'Scales the API request rates the audit paces itself to (AWS default quotas): e.g. `2` for an account with raised EMR quotas, `0.5` to leave more room to other workloads.' }),
  spec({ key: 'timeMarginSeconds', env: 'EMR_AUDIT_TIME_MARGIN_SECONDS', parse: int(5, 600), defaultText: '60', doc: 'Lambda: stop collecting this long before the time limit and publish what was evaluated.' }),
  spec({ key: 'connectTimeoutMs', env: 'EMR_AUDIT_CONNECT_TIMEOUT_MS', parse: int(100, 60_000), defaultText: '5000', doc: 'Milliseconds an AWS call may take to connect before the attempt fails and is retried.' }),
  spec({ key: 'requestTimeoutMs', env: 'EMR_AUDIT_REQUEST_TIMEOUT_MS', parse: int(100, 300_000), defaultText: '30000', doc: 'Milliseconds one attempt of an AWS call may take, answer included, before it fails and is retried (up to `maxAttempts`); the call then ends as an ERROR naming it.' }),
  spec({ key: 'suppressions', env: 'EMR_AUDIT_SUPPRESSIONS', parse: suppressions, defaultText: '(none)', doc: 'Central suppression rules, a JSON list: `[{"check":"network/*","clusterId":"j-…","reason":"…","expires":"2027-03-31"}]` — `check` an id or `area/*`, one selector (`clusterId`, `clusterName` glob, or `tag` `key=value`), `reason` and `expires` (at most one year ahead) required.' }),
  spec({ key: 'suppressionTags', env: 'EMR_AUDIT_SUPPRESSION_TAGS', parse: bool, defaultText: 'true', doc: 'Honour the `emr-audit:suppress` cluster tag; `false` ignores it (whoever can tag a cluster cannot silence its findings).' }),
  spec({ key: 'eventDebounceSeconds', env: 'EMR_AUDIT_EVENT_DEBOUNCE_SECONDS', parse: int(0, 86_400), defaultText: '600', doc: 'Lambda: skip a RUNNING/WAITING state-change event for a cluster whose findings were published this many seconds ago or less (0: never skip). A new cluster is always audited.' }),
  spec({ key: 'changeEvents', env: 'EMR_AUDIT_CHANGE_EVENTS', parse: bool, defaultText: 'true', doc: 'Lambda: re-audit the clusters a CloudTrail-recorded change touches (a security-group rule, a route, a role policy…) within a minute; `false` skips those events (the deploy parameter of the same name also removes their EventBridge rules). See docs/change-triggered.md.' }),
] as const;

export function defaultSettings(): Settings {
  return {
    regions: [],
    disabledChecks: [],
    trustedCidrs: [],
    allowedPublicPorts: [],
    applicationPorts: { ...DEFAULT_APPLICATION_PORTS },
    // Internet-scale CIDRs (lib/network/sources.ts DEFAULT_WIDE_PUBLIC_CIDR_PREFIX).
    widePublicCidrPrefixV4: 9,
    widePublicCidrPrefixV6: 17,
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
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
    suppressions: [],
    suppressionTags: true,
    eventDebounceSeconds: 600,
    changeEvents: true,
  };
}

export class SettingsError extends Error {
  override name = 'SettingsError';
  /** The variable or `--set` key at fault, for a one-line log entry. */
  readonly setting: string | undefined;
  constructor(message: string, setting?: string) {
    super(message);
    this.setting = setting;
  }
}

/**
 * Settings from the environment, then `overrides` (CLI `--set key=value`, key = camelCase name or
 * variable name). Throws SettingsError naming the variable (or the `--set` key) on the first
 * invalid value. `now` is the run's clock, for the suppression rules' expiry bound.
 */
export function loadSettings(
  env: Record<string, string | undefined>,
  overrides: Record<string, string> = {},
  options: { knownCheckIds?: readonly string[]; now?: Date } = {},
): Settings {
  const settings = defaultSettings();
  const byName = new Map<string, (typeof SETTING_SPECS)[number]>();
  for (const s of SETTING_SPECS) {
    byName.set(s.key.toLowerCase(), s);
    byName.set(s.env.toLowerCase(), s);
  }
  /** Where each setting's value came from, so later checks blame the right name. */
  const origins = new Map<keyof Settings, string>();
  const apply = (s: (typeof SETTING_SPECS)[number], raw: string, origin: string): void => {
    try {
      // Each spec's parser returns the type of its own key; the map erases that link.
      const value = s.key === 'suppressions' ? parseSuppressionRules(raw, options) : s.parse(raw);
      (settings as unknown as Record<string, unknown>)[s.key] = value;
      origins.set(s.key, origin);
    } catch (e) {
      throw new SettingsError(`${origin}: ${(e as Error).message}`, origin);
    }
  };
  for (const s of SETTING_SPECS) {
    const raw = env[s.env];
    if (raw !== undefined && raw.trim() !== '') apply(s, raw, s.env);
  }
  for (const [name, raw] of Object.entries(overrides)) {
    const s = byName.get(name.toLowerCase());
    if (!s) throw new SettingsError(`--set ${name}: unknown setting (known: ${SETTING_SPECS.map((x) => x.key).join(', ')})`, `--set ${name}`);
    apply(s, raw, `--set ${name} (${s.env})`);
  }
  if (options.knownCheckIds) {
    const known = new Set(options.knownCheckIds);
    const origin = origins.get('disabledChecks') ?? 'EMR_AUDIT_DISABLED_CHECKS';
    if (settings.disabledChecks.length > known.size) {
      throw new SettingsError(`${origin}: at most ${known.size} check ids, the number of checks (got ${settings.disabledChecks.length})`, origin);
    }
    const unknown = settings.disabledChecks.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new SettingsError(`${origin}: unknown check id ${unknown.map((u) => `"${u}"`).join(', ')} (see \`emr-audit checks\`)`, origin);
    }
  }
  return settings;
}
