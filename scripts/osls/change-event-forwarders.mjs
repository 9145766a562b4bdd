/**
 * osls plugin: change-triggered audits across Regions (docs/change-triggered.md). After
 * `osls deploy`, deploys the small forwarder stack of every other audited Region (and of
 * us-east-1, where IAM's events arrive) with the deployer's credentials, and warns where no
 * CloudTrail trail records write management events (the check of `emr-audit change-events`,
 * lib/events/trail-check.ts); before `osls remove`, removes those stacks.
 * The logic is TypeScript (scripts/routing/), loaded with tsx like the settings validator's.
 */
/* global console */
import { setTimeout as sleep } from 'node:timers/promises';
import { tsImport } from 'tsx/esm/api';

const load = (path) => tsImport(path, import.meta.url);

export default class ChangeEventForwardersPlugin {
  constructor(serverless, options, utils) {
    this.serverless = serverless;
    this.log = (line) => (utils?.log ? (line.startsWith('WARNING') ? utils.log.warning(line) : utils.log.notice(line)) : console.log(line));
    this.hooks = {
      'after:deploy:deploy': () => this.deploy(),
      'before:remove:remove': () => this.remove(),
    };
  }

  async context() {
    const { CloudFormationClient } = await import('@aws-sdk/client-cloudformation');
    const provider = this.serverless.getProvider('aws');
    const service = this.serverless.service;
    const tags = Object.fromEntries(Object.entries(service.provider.stackTags || {}).map(([k, v]) => [k, String(v)]));
    const { plannedForwarders } = await load('../routing/deploy.ts');
    const homeRegion = provider.getRegion();
    const environment = service.provider.environment || {};
    const regions = [homeRegion, ...plannedForwarders({ homeRegion, environment }).stacks.map((s) => s.region)];
    const configs = new Map(await Promise.all(regions.map(async (r) => [r, await provider.getAwsSdkV3Config({ region: r })])));
    const clients = new Map();
    const client = (Client) => (region) => {
      const key = `${Client.name}:${region}`;
      if (!clients.has(key)) clients.set(key, new Client(configs.get(region) ?? { ...configs.get(homeRegion), region }));
      return clients.get(key);
    };
    return {
      stage: provider.getStage(),
      homeRegion,
      environment,
      tags,
      version: tags['emr-audit:version'] ?? '',
      cloudFormation: client(CloudFormationClient),
      client,
      log: this.log,
      sleep: (ms) => sleep(ms),
    };
  }

  async deploy() {
    const ctx = await this.context();
    const { deployForwarders, plannedForwarders } = await load('../routing/deploy.ts');
    await deployForwarders(ctx);
    const plan = plannedForwarders(ctx);
    if (!plan.enabled) return;
    const { trailWarnings } = await load('../routing/trail-check.ts');
    const { CloudTrailClient } = await import('@aws-sdk/client-cloudtrail');
    // The audited Regions, and us-east-1 for IAM (lib/events/trail-check.ts).
    for (const line of await trailWarnings(plan.auditedRegions, ctx.client(CloudTrailClient))) this.log(line);
  }

  async remove() {
    const ctx = await this.context();
    const { removeForwarders } = await load('../routing/deploy.ts');
    await removeForwarders(ctx);
  }
}
