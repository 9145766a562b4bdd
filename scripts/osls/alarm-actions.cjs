/**
 * osls variable source for the template's conditions and the alarms' actions, decided by the
 * params at package time:
 *   ${file(./scripts/osls/alarm-actions.cjs):conditions}  resources.Conditions
 *   ${file(./scripts/osls/alarm-actions.cjs):actions}     AlarmActions / OKActions
 * The alarm's condition exists only with EMR_AUDIT_ALARM_TOPIC_ARN; the change-event conditions
 * (docs/change-triggered.md) always, built from EMR_AUDIT_CHANGE_EVENTS and
 * EMR_AUDIT_IAM_EVENT_REGIONS as literal values (the StackSet transform turns them into parameters).
 * With a topic: the actions are `Fn::If [HasAlarmTopic, [topic], NoValue]` (the StackSet template,
 * packaged with a sentinel topic, turns the topic into a parameter and keeps the condition). With
 * none: `Ref: AWS::NoValue` and no condition, so no branch of the template carries an empty ARN
 * (cfn-lint E3033: `AlarmActions: [""]`) or an unused condition (W8001).
 *
 * CommonJS: osls loads JS variable sources with require().
 */
/* global module */
'use strict';

const TOPIC = 'param:EMR_AUDIT_ALARM_TOPIC_ARN';

async function topicOf(resolveVariable) {
  const topic = await resolveVariable(TOPIC);
  return typeof topic === 'string' ? topic.trim() : '';
}

async function paramOf(resolveVariable, name) {
  const value = await resolveVariable(`param:${name}`);
  return typeof value === 'string' ? value : String(value ?? '');
}

/** The spellings lib/settings.ts reads as false: EMR_AUDIT_CHANGE_EVENTS=false removes the rules. */
const FALSE_SPELLINGS = ['false', 'False', 'FALSE', '0', 'no', 'No', 'NO', 'off', 'Off', 'OFF'];
/** At most this many Regions receive IAM's events from the us-east-1 stack of the StackSet. */
const IAM_EVENT_REGIONS = 5;

/** The n-th (0-based) Region of the comma list, '' past its end. */
const nthRegion = (regions, n) => ({ 'Fn::Select': [n, { 'Fn::Split': [',', { 'Fn::Join': ['', [regions, ',,,,,']] }] }] });

function changeEventConditions(changeEvents, iamRegions) {
  const conditions = {
    ChangeEventsOn: { 'Fn::Not': [{ 'Fn::Or': FALSE_SPELLINGS.map((f) => ({ 'Fn::Equals': [changeEvents, f] })) }] },
    // IAM's CloudTrail events reach EventBridge in us-east-1 only. In the organization StackSet each
    // Region's stack audits its own Region, so the us-east-1 stack forwards them to the others'
    // default buses (EMR_AUDIT_IAM_EVENT_REGIONS). A single-account deployment forwards with the
    // stacks of scripts/osls/change-event-forwarders.mjs instead and leaves this empty.
    ForwardIamEvents: {
      'Fn::And': [{ Condition: 'ChangeEventsOn' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }, { 'Fn::Not': [{ 'Fn::Equals': [iamRegions, ''] }] }],
    },
  };
  // The first Region needs no condition of its own: ForwardIamEvents already says the list is not empty.
  for (let n = 1; n < IAM_EVENT_REGIONS; n++) {
    conditions[`ForwardIamEventsTo${n + 1}`] = { 'Fn::And': [{ Condition: 'ForwardIamEvents' }, { 'Fn::Not': [{ 'Fn::Equals': [nthRegion(iamRegions, n), ''] }] }] };
  }
  return conditions;
}

module.exports = {
  async conditions({ resolveVariable }) {
    const topic = await topicOf(resolveVariable);
    const alarm = topic === '' ? {} : { HasAlarmTopic: { 'Fn::Not': [{ 'Fn::Equals': [topic, ''] }] } };
    const changeEvents = await paramOf(resolveVariable, 'EMR_AUDIT_CHANGE_EVENTS');
    const iamRegions = await paramOf(resolveVariable, 'EMR_AUDIT_IAM_EVENT_REGIONS');
    return { ...alarm, ...changeEventConditions(changeEvents, iamRegions) };
  },
  async actions({ resolveVariable }) {
    const topic = await topicOf(resolveVariable);
    return topic === '' ? { Ref: 'AWS::NoValue' } : { 'Fn::If': ['HasAlarmTopic', [topic], { Ref: 'AWS::NoValue' }] };
  },
};
