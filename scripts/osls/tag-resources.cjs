/**
 * osls plugin: puts the stack tags (`provider.stackTags`) on every resource of the template whose
 * type takes a standard `Tags` list, the ones osls generates (EventBridge rules, the log group…)
 * as well as ours. Stack tags alone reach the resources only when the stack is created with them;
 * in the template they also hold in a StackSet (scripts/stackset.ts derives its template from this
 * output) and survive a stack update that forgets them.
 *
 * CommonJS: osls loads local plugins with require(). Test: test/deploy/template.test.ts checks
 * every taggable resource against the CloudFormation resource specification.
 */
/* global module */
'use strict';

/** Resource types with a standard `Tags: [{ Key, Value }]` property that this service uses. */
const TAGGABLE = new Set([
  'AWS::CloudWatch::Alarm',
  'AWS::Events::Rule',
  'AWS::IAM::Role',
  'AWS::Lambda::EventSourceMapping',
  'AWS::Lambda::Function',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::SNS::Topic',
  'AWS::SQS::Queue',
]);

class TagResources {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () => this.tag(),
    };
  }

  tag() {
    const provider = this.serverless.service.provider;
    const tags = Object.entries(provider.stackTags || {}).map(([Key, Value]) => ({ Key, Value: String(Value) }));
    if (tags.length === 0) return;
    const resources = provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (!TAGGABLE.has(resource.Type)) continue;
      resource.Properties = resource.Properties || {};
      const own = (resource.Properties.Tags || []).filter((t) => !tags.some((s) => s.Key === t.Key));
      resource.Properties.Tags = [...own, ...tags];
    }
  }
}

module.exports = TagResources;
