/** Help texts: what a person new to the tool needs to get a first result, then the details. */

export const MAIN_HELP = `emr-audit — security audit of Amazon EMR clusters

Usage
  emr-audit <command> [options]

Commands
  scan           Audit clusters and print a report (live AWS, a saved snapshot, or the demo account)
  collect        Save a snapshot of the account, to scan offline later with scan --snapshot
  checks         List the checks: id, severity, title
  permissions    Print the read-only IAM policy emr-audit needs
  change-events  Check that CloudTrail logs what change-triggered audits need, per Region
  help [topic]   Help for a command, or \`help settings\` for every setting

Try it without an AWS account
  emr-audit scan --demo

Audit your account (standard AWS credentials: AWS_PROFILE, SSO, environment, instance role)
  emr-audit scan --region eu-west-1 --region us-east-1

Options
  -h, --help     Show help
  -v, --version  Print the version

Exit codes
  0 the audit completed · 1 a FAIL at or above --fail-on · 2 usage error · 3 the audit could not run
  change-events: 0 no WARNING · 1 a WARNING · 2 usage error · 3 it could not run
`;

export const SCAN_HELP = `Usage
  emr-audit scan [options]

Audit the active EMR clusters (STARTING, BOOTSTRAPPING, RUNNING, WAITING) and the account settings
of each region. Read-only: nothing in your account changes unless you pass --publish.
Credentials come from the standard AWS chain; AWS_PROFILE, AWS_REGION and AWS_ENDPOINT_URL are honoured.

What to audit
  --region R        Region to audit; repeat for several. Default: EMR_AUDIT_REGIONS, else
                    AWS_REGION / AWS_DEFAULT_REGION, else the region of your AWS profile.
                    \`--region all\`: every region enabled for the account (ec2:DescribeRegions)
  --cluster ID      Only this cluster (j-…); repeat for several
  --check ID        Only this check; repeat for several. \`network/*\` selects an area.
                    \`emr-audit checks\` lists them
  --compliance NAME Only the checks mapped to a framework: aws-fsbp, cis, nist-800-53,
                    nist-800-171, pci-dss

Where the data comes from (default: live AWS)
  --profile NAME    The AWS profile to use (from ~/.aws/config or ~/.aws/credentials)
  --demo            The bundled demo account: no AWS access needed
  --snapshot FILE   A snapshot saved by \`emr-audit collect\`
  --state DIR|s3://BUCKET/PREFIX
                    Keep the clusters' immutable facts between runs (off by default): clusters
                    seen before are not described again. Losing it costs only speed

Output
  --format F[,F]    table (the default, also when piped), json, asff, html, sarif, ocsf or
                    csv; several with --output-dir
  -o, --output FILE Write the report to FILE (format from --format or the extension)
  --output-dir DIR  Write one file per format into DIR, named after account, regions and time
  --severity S[,S]  Show only results of these severities (INFORMATIONAL … CRITICAL)
  --status S[,S]    Show only results of these statuses (FAIL, ERROR, SUPPRESSED, PASS,
                    NOT_APPLICABLE). Neither filter changes what is evaluated, published or
                    counted for --fail-on
  --verbose         Table: also list the checks that passed or did not apply
  --summary         Table: the one-screen view: Fix first, one line per cluster (most at
                    risk first), the counts
  -q, --quiet       No progress and no "wrote" lines: only the report and errors
  --no-color        No colours (as NO_COLOR=1)
  --fail-on SEV     Exit 1 when a FAIL of this severity or higher exists
                    (INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL); suppressed results never count
  --fail-on-error   Exit 1 when any result is ERROR (a check that could not be evaluated),
                    so a CI gate cannot pass on an audit that saw nothing
  --publish         Also update AWS Security Hub, as the deployed Lambda does (live AWS only)

Settings
  --set KEY=VALUE   Override a setting for this run, e.g. --set ssmGraceMinutes=30; repeatable.
                    \`emr-audit help settings\` lists them

Examples
  emr-audit scan --demo
  emr-audit scan --demo --output-dir reports --format json,html
  emr-audit scan --region eu-west-1 --fail-on HIGH
  emr-audit scan --region all --profile audit --severity CRITICAL,HIGH
  emr-audit scan --region us-east-1 --cluster j-2AXXXXXXGAPLF --format json > audit.json
  emr-audit scan --check 'network/*' --set trustedCidrs=203.0.113.0/24
`;

export const COLLECT_HELP = `Usage
  emr-audit collect --out FILE [options]

Read what the checks need from AWS and save it as a snapshot (JSON, no secrets), so the audit can
be evaluated later, elsewhere, or again: \`emr-audit scan --snapshot FILE\`.

Options
  --out FILE        Where to write the snapshot; \`-\` writes it to stdout
  --region R        Region to collect; repeatable (default as for scan)
  --cluster ID      Only this cluster; repeatable
  --check ID        Only the data this check needs; repeatable
  --state DIR|s3://BUCKET/PREFIX
                    Use and update the state store, as for scan
  --set KEY=VALUE   Override a setting; repeatable

Example
  emr-audit collect --region eu-west-1 --out eu-west-1.json
  emr-audit scan --snapshot eu-west-1.json
`;

export const CHECKS_HELP = `Usage
  emr-audit checks [--format table|json]

List every check: id, severity and title. With --format json, also the description, the
remediation and its documentation link, the IAM permissions it reads and the settings it uses.
`;

export const CHANGE_EVENTS_HELP = `Usage
  emr-audit change-events [--region R ...] [options]

The deployed function re-audits a cluster minutes after a change to it, on CloudTrail's "AWS API
Call via CloudTrail" events, which EventBridge delivers only where a logging trail records write
management events. This checks, for each audited Region (EC2, EMR and SSM calls) and for us-east-1
(IAM's calls, audited or not), that a trail applies there, is logging, and that its event
selectors keep those write calls. Read-only: cloudtrail:DescribeTrails, GetTrailStatus and
GetEventSelectors (\`emr-audit permissions\` includes them).

One line per Region:
  OK           the trail(s) that log the write calls
  WARNING      no trail applies, or each is stopped, records only reads, or its selectors leave
               the write calls out: changes there will not trigger audits
  cannot tell  a trail could not be read (access denied; an organization trail seen from a
               member account: check it from the management account)

Options
  --region R        Region the function audits; repeatable (default as for scan: EMR_AUDIT_REGIONS,
                    else AWS_REGION, else your profile's). \`--region all\`: every enabled region
  --profile NAME    The AWS profile to use
  --format F        table (default) or json
  --set KEY=VALUE   Override a setting; repeatable
  -q, --quiet       No hint on stderr after a WARNING

Exit codes
  0 no WARNING (OK or cannot tell) · 1 a WARNING · 2 usage error · 3 could not run (no credentials)

Example
  emr-audit change-events --region eu-west-1 --region eu-central-1
`;

export const PERMISSIONS_HELP = `Usage
  emr-audit permissions [--no-publish]

Print the least-privilege IAM policy (JSON) for emr-audit: the read-only actions the checks need,
plus the Security Hub actions used by --publish and the deployed Lambda, and the CloudTrail reads
of \`emr-audit change-events\` (statement CheckChangeEventTrails; the Lambda has none of them).

Options
  --no-publish      Leave out the Security Hub actions (for \`scan\` without --publish)

Example
  emr-audit permissions --no-publish > emr-audit-policy.json
  aws iam create-policy --policy-name emr-audit-read --policy-document file://emr-audit-policy.json
`;

export async function settingsHelp(): Promise<string> {
  const { SETTING_SPECS } = await import('../lib/settings.js');
  const lines = [
    'Settings',
    '',
    'Each setting has a default; set it with an environment variable or, for one run, with',
    '--set KEY=VALUE (KEY is the name or the variable). Invalid values stop the run at start.',
    '',
  ];
  for (const s of SETTING_SPECS) {
    lines.push(`  ${s.key}  (${s.env}, default: ${s.defaultText.replace(/`/g, '')})`);
    lines.push(`      ${s.doc.replace(/`/g, '')}`);
  }
  return `${lines.join('\n')}\n`;
}
