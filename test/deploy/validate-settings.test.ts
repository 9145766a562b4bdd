/**
 * Invalid settings are found at package/deploy time, not hours later in every scheduled run
 * (issue 14, defect 6): `osls package --param EMR_AUDIT_SSM_GRACE_MINUTES=abc` must fail with the
 * variable named, validated by lib/settings.ts (the Lambda's own schema).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { validateDeploymentSettings } from '../../scripts/validate-settings.js';
import { OSLS_BIN, cleanupScratchServices, offlineEnv, run, scratchService } from './helpers.js';

afterAll(cleanupScratchServices);

async function packageWith(params: string[]) {
  const dir = await scratchService();
  return run(process.execPath, [OSLS_BIN, 'package', ...params.flatMap((p) => ['--param', p])], { cwd: dir, env: offlineEnv() });
}

describe('deploy-time settings validation', () => {
  it('osls package fails on an invalid EMR_AUDIT_* param, naming the variable', async () => {
    const result = await packageWith(['EMR_AUDIT_SSM_GRACE_MINUTES=abc']);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Invalid deployment parameter: EMR_AUDIT_SSM_GRACE_MINUTES: expected a whole number from 0 to 10080, got "abc"/);
  }, 60_000);

  it('refuses an internet-scale trusted CIDR at deploy time too', async () => {
    const result = await packageWith(['EMR_AUDIT_TRUSTED_CIDRS=0.0.0.0/0']);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/EMR_AUDIT_TRUSTED_CIDRS: "0\.0\.0\.0\/0" is internet-scale/);
  }, 60_000);

  it('uses the Lambda schema: every setting, the check registry and the suppression rules', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(validateDeploymentSettings({}, now)).toBeUndefined();
    expect(validateDeploymentSettings({ EMR_AUDIT_DISABLED_CHECKS: 'network/telnet' }, now)).toMatch(/^EMR_AUDIT_DISABLED_CHECKS: unknown check id "network\/telnet"/);
    expect(validateDeploymentSettings({ EMR_AUDIT_SUPPRESSIONS: '[{"check":"network/*","clusterId":"j-ABC","reason":"ok ok","expires":"2032-01-01"}]' }, now)).toMatch(
      /^EMR_AUDIT_SUPPRESSIONS: rule 1\.expires: 2032-01-01 is more than one year ahead/,
    );
  });
});
