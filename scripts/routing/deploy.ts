/**
 * `osls deploy` / `osls remove` of the per-Region forwarder stacks (./forwarders.ts), run by the
 * osls plugin scripts/osls/change-event-forwarders.mjs with the deployer's credentials. Each stack
 * is created, updated or deleted and waited for; a failure names the Region and stops the command,
 * like a failed main stack.
 */
import {
  CloudFormationServiceException,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { SETTING_SPECS } from '../../lib/settings.js';
import { forwarderStackName, forwarderStacks, forwarderTemplate, type ForwarderStack } from './forwarders.js';

export interface ForwarderContext {
  stage: string;
  homeRegion: string;
  /** The function's EMR_AUDIT_REGIONS and EMR_AUDIT_CHANGE_EVENTS, as deployed. */
  environment: Readonly<Record<string, unknown>>;
  /** The stack tags of the main stack (provider.stackTags). */
  tags: Readonly<Record<string, string>>;
  version: string;
  cloudFormation: (region: string) => CloudFormationClient;
  log: (line: string) => void;
  /** Waits between two polls of a stack's status. */
  sleep: (ms: number) => Promise<void>;
  /** How many polls before a stack operation counts as stuck (10 s apart: 15 minutes). */
  maxPolls?: number;
}

function setting<K extends 'regions' | 'changeEvents'>(key: K, environment: Readonly<Record<string, unknown>>) {
  const spec = SETTING_SPECS.find((s) => s.key === key)!;
  const raw = environment[spec.env];
  return typeof raw === 'string' && raw.trim() !== '' ? spec.parse(raw) : undefined;
}

export function plannedForwarders(ctx: Pick<ForwarderContext, 'homeRegion' | 'environment'>): { enabled: boolean; stacks: ForwarderStack[]; auditedRegions: string[] } {
  const regions = (setting('regions', ctx.environment) as string[] | undefined) ?? [];
  const enabled = (setting('changeEvents', ctx.environment) as boolean | undefined) ?? true;
  return { enabled, stacks: forwarderStacks({ homeRegion: ctx.homeRegion, auditedRegions: regions }), auditedRegions: regions.length > 0 ? [...regions] : [ctx.homeRegion] };
}

const notFound = (error: unknown): boolean => error instanceof CloudFormationServiceException && error.name === 'ValidationError' && /does not exist/.test(error.message);
const noUpdate = (error: unknown): boolean => error instanceof CloudFormationServiceException && error.name === 'ValidationError' && /No updates are to be performed/.test(error.message);

async function describe(client: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    return (await client.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (error) {
    if (notFound(error)) return undefined;
    throw error;
  }
}

/** Poll until the stack leaves *_IN_PROGRESS; `undefined` once it is gone. */
async function settle(ctx: ForwarderContext, client: CloudFormationClient, name: string, region: string): Promise<Stack | undefined> {
  for (let poll = 0; poll < (ctx.maxPolls ?? 90); poll++) {
    const stack = await describe(client, name);
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
    if (!stack.StackStatus?.endsWith('_IN_PROGRESS')) return stack;
    await ctx.sleep(10_000);
  }
  throw new Error(`${name} in ${region}: still in progress after ${ctx.maxPolls ?? 90} polls; see the CloudFormation console`);
}

const GOOD = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);

async function deployOne(ctx: ForwarderContext, target: ForwarderStack): Promise<void> {
  const client = ctx.cloudFormation(target.region);
  const name = forwarderStackName(ctx.stage);
  const body = JSON.stringify(forwarderTemplate({ stage: ctx.stage, homeRegion: ctx.homeRegion, sources: target.sources, tags: ctx.tags, version: ctx.version }));
  const tags = Object.entries(ctx.tags).map(([Key, Value]) => ({ Key, Value }));
  let existing = await settle(ctx, client, name, target.region);
  // A stack whose creation failed cannot be updated: delete it and create it again.
  if (existing?.StackStatus === 'ROLLBACK_COMPLETE') {
    await client.send(new DeleteStackCommand({ StackName: name }));
    existing = await settle(ctx, client, name, target.region);
  }
  try {
    if (existing) await client.send(new UpdateStackCommand({ StackName: name, TemplateBody: body, Capabilities: ['CAPABILITY_IAM'], Tags: tags }));
    else await client.send(new CreateStackCommand({ StackName: name, TemplateBody: body, Capabilities: ['CAPABILITY_IAM'], Tags: tags, OnFailure: 'DELETE' }));
  } catch (error) {
    if (existing && noUpdate(error)) {
      ctx.log(`change events: ${name} in ${target.region} is up to date`);
      return;
    }
    throw error;
  }
  const done = await settle(ctx, client, name, target.region);
  if (!done || !GOOD.has(done.StackStatus ?? '')) {
    throw new Error(`${name} in ${target.region}: ${done?.StackStatus ?? 'deleted'}${done?.StackStatusReason ? ` (${done.StackStatusReason})` : ''}; see its events in the CloudFormation console`);
  }
  ctx.log(`change events: ${target.region} forwards ${target.sources.join(', ')} to ${ctx.homeRegion} (${name})`);
}

async function deleteOne(ctx: ForwarderContext, region: string): Promise<void> {
  const client = ctx.cloudFormation(region);
  const name = forwarderStackName(ctx.stage);
  if (!(await settle(ctx, client, name, region))) return;
  await client.send(new DeleteStackCommand({ StackName: name }));
  const left = await settle(ctx, client, name, region);
  if (left) throw new Error(`${name} in ${region}: ${left.StackStatus ?? 'not deleted'}; delete it in the CloudFormation console`);
  ctx.log(`change events: removed ${name} in ${region}`);
}

/** After `osls deploy`: the forwarders the settings call for, or none when change events are off. */
export async function deployForwarders(ctx: ForwarderContext): Promise<ForwarderStack[]> {
  const plan = plannedForwarders(ctx);
  if (!plan.enabled) {
    for (const s of plan.stacks) await deleteOne(ctx, s.region);
    ctx.log('change events: off (EMR_AUDIT_CHANGE_EVENTS=false): no forwarders');
    return [];
  }
  for (const s of plan.stacks) await deployOne(ctx, s);
  return plan.stacks;
}

/** Before `osls remove`: the forwarders of the deployed settings go with the service. */
export async function removeForwarders(ctx: ForwarderContext): Promise<void> {
  for (const s of plannedForwarders(ctx).stacks) await deleteOne(ctx, s.region);
}
