/**
 * osls variable source for the alarms' actions and their condition, decided by the
 * EMR_AUDIT_ALARM_TOPIC_ARN param at package time:
 *   ${file(./scripts/osls/alarm-actions.cjs):conditions}  resources.Conditions
 *   ${file(./scripts/osls/alarm-actions.cjs):actions}     AlarmActions / OKActions
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

module.exports = {
  async conditions({ resolveVariable }) {
    const topic = await topicOf(resolveVariable);
    return topic === '' ? {} : { HasAlarmTopic: { 'Fn::Not': [{ 'Fn::Equals': [topic, ''] }] } };
  },
  async actions({ resolveVariable }) {
    const topic = await topicOf(resolveVariable);
    return topic === '' ? { Ref: 'AWS::NoValue' } : { 'Fn::If': ['HasAlarmTopic', [topic], { Ref: 'AWS::NoValue' }] };
  },
};
