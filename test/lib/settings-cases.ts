/**
 * Values of every setting, shared by the settings tests (lib/settings.ts parses them) and the
 * template tests (the CloudFormation parameters generated from the same specs must agree).
 *  - valid: the parser accepts; so must the parameter's AllowedPattern.
 *  - invalid: the parser rejects, and so must the pattern.
 *  - parserOnly: the parser rejects for a reason no pattern can see (the pattern lets them through).
 *  - templateStricter: the parser accepts an unusual spelling the template refuses (documented).
 */
export interface SettingCases {
  valid: string[];
  invalid: string[];
  parserOnly?: string[];
  templateStricter?: string[];
}

const BLANK = ['', '   '];
/** Number() reads these; the parsers (decimal digits only) and the patterns refuse them. */
const exotic = ['1e1', '0x10', '0b1', '-0', '+8', '8.0', ' 8', '8 ', '1_0'];

export const SETTING_CASES: Record<string, SettingCases> = {
  EMR_AUDIT_REGIONS: {
    valid: [...BLANK, 'eu-west-1', 'eu-west-1,eu-central-1', ' us-gov-west-1 , ap-southeast-4 ', 'eu-west-1,', ',eu-west-1,,us-east-1'],
    invalid: ['eu west 1', 'EU-WEST-1', 'eu-west', 'eu-west-1;us-east-1', 'all', 'eu-west-1 us-east-1', 'e-west-1'],
  },
  EMR_AUDIT_DISABLED_CHECKS: {
    valid: [...BLANK, 'logging/no-log-uri', 'logging/no-log-uri, network/ssh-from-internet', 'network/ssh-from-internet,'],
    // Unknown ids: the Lambda refuses them at start, the template (which knows the registry) at deploy.
    invalid: ['network/ssh', 'logging/no-log-uri network/ssh-from-internet', 'LOGGING/NO-LOG-URI'],
  },
  EMR_AUDIT_TRUSTED_CIDRS: {
    valid: [...BLANK, '203.0.113.0/24', '203.0.113.7/32, 2001:db8::/32', '10.0.0.0/8,', 'fe80::1%eth0/64', '8.0.0.0/9'],
    invalid: ['203.0.113.0', '203.0.113.0/', '203.0.113.0/129', 'any', '203.0.113.0 /24', '10.0.0.0/8;10.1.0.0/16'],
    // Internet-scale CIDRs are refused by the parser (issue 14); the pattern sees only the syntax.
    parserOnly: ['999.0.0.0/8', '10.0.0.0/33', '2001:db8:::/32', '0.0.0.0/0', '::/0', '8.0.0.0/8', '2001::/16'],
  },
  EMR_AUDIT_ALLOWED_PUBLIC_PORTS: {
    valid: [...BLANK, '443', '443,8000-8010', ' 80-90 , 443 ', '0-65535', '443,', '0443'],
    // The two ports of a range are not trimmed: `80 - 90` is refused.
    invalid: ['https', '443-', '-443', '1-2-3', '65536', '443;80', '80:http', '443 80', '80 - 90', '80 -90', '1e1', '+443', '443.0'],
    parserOnly: ['90-80'],
  },
  EMR_AUDIT_APPLICATION_PORTS: {
    valid: [...BLANK, '8890', '8890:Zeppelin, 4040', '8080: Tomcat', '9443:Jupyter:Hub', '8080:'],
    invalid: ['Zeppelin', ':8890', '70000', '8890-8891', '8890;4040', '8080 : Tomcat', '0b1:x'],
  },
  EMR_AUDIT_WIDE_PUBLIC_CIDR_V4: {
    valid: [...BLANK, '1', '8', '16', '32', '08', '000000000000032'],
    invalid: ['0', '33', '8.5', 'eight', '/8', '-8', '8 8', ' 16 ', '0000000000000032', ...exotic],
  },
  EMR_AUDIT_WIDE_PUBLIC_CIDR_V6: {
    valid: [...BLANK, '1', '48', '64', '128'],
    invalid: ['0', '129', '64.5', '/64'],
  },
  EMR_AUDIT_SSM_GRACE_MINUTES: {
    valid: [...BLANK, '0', '00', '15', '10080'],
    invalid: ['10081', 'fifteen', '15m', '-1', '1.5', '60 ', ...exotic],
  },
  EMR_AUDIT_MAX_MINOR_RELEASES_BEHIND: { valid: [...BLANK, '0', '6', '1000'], invalid: ['1001', 'six', '-1'] },
  EMR_AUDIT_MINIMUM_MAJOR_RELEASE: { valid: [...BLANK, '0', '6', '100'], invalid: ['101', '6.x', 'v6'] },
  EMR_AUDIT_REQUIRE_KMS_FOR_S3: {
    valid: [...BLANK, 'true', 'false', 'TRUE', 'False', '1', '0', 'yes', 'no', 'on', 'off', ' Yes '],
    invalid: ['y', 'n', 'enabled', 'truee', '2', 'true false'],
  },
  EMR_AUDIT_REPORT_PASSED: { valid: [...BLANK, 'true', 'OFF'], invalid: ['maybe', 't'] },
  EMR_AUDIT_API_CONCURRENCY: { valid: [...BLANK, '1', '4', '64'], invalid: ['0', '65', 'four', '2.5'] },
  EMR_AUDIT_MAX_ATTEMPTS: { valid: [...BLANK, '1', '10', '30'], invalid: ['0', '31', 'ten'] },
  EMR_AUDIT_RATE_MULTIPLIER: {
    valid: [...BLANK, '1', '0.5', '2', '0.05', '100', '100.0', '01.50'],
    invalid: ['fast', '1,5', '-1', '2x', '1..5', '.5', '1.', '+1', ' 1', '1e0', '1.0000000000000001'],
    parserOnly: ['0', '0.01', '100.5', '500'],
  },
  EMR_AUDIT_TIME_MARGIN_SECONDS: { valid: [...BLANK, '5', '60', '600'], invalid: ['4', '601', '60s'] },
  EMR_AUDIT_CONNECT_TIMEOUT_MS: { valid: [...BLANK, '100', '5000', '60000'], invalid: ['99', '0', '60001', '5s', '5000.0'] },
  EMR_AUDIT_REQUEST_TIMEOUT_MS: { valid: [...BLANK, '100', '30000', '300000'], invalid: ['99', '300001', '30_000', ' 30000'] },
  // JSON: the pattern accepts anything, lib/suppression.ts checks the rules (an empty list is none).
  EMR_AUDIT_SUPPRESSIONS: {
    valid: [...BLANK, '[]', ' [ ] '],
    invalid: [],
    parserOnly: ['network/*', '{}', '[{"check":"network/*"}]', '[1,2]'],
  },
  EMR_AUDIT_SUPPRESSION_TAGS: { valid: [...BLANK, 'true', 'false', 'NO'], invalid: ['never', 'f'] },
  EMR_AUDIT_EVENT_DEBOUNCE_SECONDS: { valid: [...BLANK, '0', '600', '86400'], invalid: ['86401', '-1', '10m', '1e3'] },
  EMR_AUDIT_CHANGE_EVENTS: { valid: [...BLANK, 'true', 'false', 'Off', '0'], invalid: ['disabled', 'f'] },
};
