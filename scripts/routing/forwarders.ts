/**
 * Change-triggered audits across Regions (docs/change-triggered.md). EventBridge delivers a
 * CloudTrail event only in the Region of the call, and IAM's only in us-east-1; the function runs in
 * one Region. So every other audited Region (and us-east-1, for IAM, audited or not) gets a small
 * stack of its own: one rule per service on its default bus, forwarding the same event pattern as
 * the home rules (serverless.yml) to the home Region's default bus, where those rules match them.
 * Pure: which Regions, and each stack's template.
 */
import { CHANGE_CALLS, CLOUDTRAIL_DETAIL_TYPE, EVENTBRIDGE_SOURCES, IAM_EVENTS_REGION, REGIONAL_SOURCES, type ChangeSource } from '../../lib/events/change-calls.js';
import type { CfnTemplate, JsonObject } from '../stackset/transform.js';

export { IAM_EVENTS_REGION };

export interface ForwarderStack {
  region: string;
  sources: ChangeSource[];
}

export const forwarderStackName = (stage: string): string => `emr-audit-${stage}-change-events`;

/**
 * The Regions that need a forwarder, and what each forwards. `auditedRegions` empty means the home
 * Region only (EMR_AUDIT_REGIONS unset).
 */
export function forwarderStacks(options: { homeRegion: string; auditedRegions: readonly string[] }): ForwarderStack[] {
  const audited = new Set(options.auditedRegions.length > 0 ? options.auditedRegions : [options.homeRegion]);
  const regions = [...new Set([...audited, IAM_EVENTS_REGION])].filter((r) => r !== options.homeRegion).sort();
  return regions.map((region) => ({
    region,
    sources: [...(audited.has(region) ? REGIONAL_SOURCES : []), ...(region === IAM_EVENTS_REGION ? (['iam.amazonaws.com'] as const) : [])],
  }));
}

/** The EventBridge pattern of one service's listed calls, as the home rules match them. */
export function changeEventPattern(source: ChangeSource): JsonObject {
  return {
    source: [EVENTBRIDGE_SOURCES[source]],
    'detail-type': [CLOUDTRAIL_DETAIL_TYPE],
    detail: { eventSource: [source], eventName: [...CHANGE_CALLS[source]] },
  };
}

const logicalName = (source: ChangeSource): string => {
  const short = EVENTBRIDGE_SOURCES[source].replace(/^aws\./, '');
  return short.charAt(0).toUpperCase() + short.slice(1);
};

export function forwarderTemplate(options: { stage: string; homeRegion: string; sources: readonly ChangeSource[]; tags: Readonly<Record<string, string>>; version: string }): CfnTemplate {
  const tags = Object.entries(options.tags).map(([Key, Value]) => ({ Key, Value }));
  const homeBus = { 'Fn::Sub': `arn:\${AWS::Partition}:events:${options.homeRegion}:\${AWS::AccountId}:event-bus/default` };
  const rules = Object.fromEntries(
    options.sources.map((source) => [
      `Forward${logicalName(source)}EventsRule`,
      {
        Type: 'AWS::Events::Rule',
        Properties: {
          Name: `emr-audit-${options.stage}-forward-${EVENTBRIDGE_SOURCES[source].replace(/^aws\./, '')}-events`,
          Description: `Forward ${EVENTBRIDGE_SOURCES[source]} changes that can change an EMR cluster's findings to emr-audit in ${options.homeRegion}`,
          EventBusName: 'default',
          State: 'ENABLED',
          EventPattern: changeEventPattern(source),
          Targets: [{ Id: 'home', Arn: homeBus, RoleArn: { 'Fn::GetAtt': ['ForwarderRole', 'Arn'] } }],
          Tags: tags,
        },
      },
    ]),
  );
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `emr-audit ${options.version} (${options.stage}): forwards the CloudTrail events of change-triggered audits from this Region to ${options.homeRegion}`,
    Resources: {
      // EventBridge may put events on the home Region's default bus, and nothing else; only for
      // this account's rules (aws:SourceAccount: no confused deputy).
      ForwarderRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Description: `emr-audit ${options.stage}: EventBridge forwards change events to ${options.homeRegion}`,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'put-events-on-the-home-default-bus',
              PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: homeBus }] },
            },
          ],
          Tags: tags,
        },
      },
      ...rules,
    },
  };
}
