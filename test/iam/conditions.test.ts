import { describe, expect, it } from 'vitest';
import { admitsService, readCondition } from '../../lib/iam/conditions.js';

const never = (condition: Record<string, unknown>): boolean => readCondition(condition).neverMet !== undefined;

describe('conditions an instance can never meet', () => {
  it.each([
    [{ Bool: { 'aws:ViaAWSService': 'true' } }],
    [{ Bool: { 'aws:ViaAWSService': true } }],
    [{ Bool: { 'AWS:VIAAWSSERVICE': 'TRUE' } }],
    [{ BoolIfExists: { 'aws:ViaAWSService': 'true' } }],
    [{ Bool: { 'aws:PrincipalIsAWSService': 'true' } }],
    [{ StringEquals: { 'aws:PrincipalIsAWSService': 'true' } }],
    [{ Bool: { 'aws:IsMcpServiceAction': 'true' } }],
    [{ 'ForAnyValue:StringEquals': { 'aws:CalledVia': ['athena.amazonaws.com'] } }],
    [{ StringEquals: { 'aws:CalledViaFirst': 'cloudformation.amazonaws.com' } }],
    [{ StringLike: { 'aws:CalledViaLast': '*' } }],
    [{ StringEquals: { 'aws:PrincipalServiceName': 'lambda.amazonaws.com' } }],
    [{ 'ForAnyValue:StringLike': { 'aws:PrincipalServiceNamesList': '*' } }],
    [{ Null: { 'aws:CalledVia': 'false' } }],
    // One test never met is enough, whatever the others.
    [{ StringEquals: { 'aws:ResourceTag/team': 'etl' }, Bool: { 'aws:ViaAWSService': 'true' } }],
  ])('never met: %j', (condition) => {
    expect(never(condition)).toBe(true);
  });

  it.each([
    [{ Bool: { 'aws:ViaAWSService': 'false' } }],
    [{ Bool: { 'aws:ViaAWSService': ['true', 'false'] } }],
    [{ StringNotEquals: { 'aws:CalledVia': 'athena.amazonaws.com' } }],
    [{ 'ForAllValues:StringEquals': { 'aws:CalledVia': ['athena.amazonaws.com'] } }],
    [{ StringEqualsIfExists: { 'aws:CalledViaFirst': 'cloudformation.amazonaws.com' } }],
    // aws:IsMcpServiceAction may be absent from the instance's requests: the IfExists form is met then.
    [{ BoolIfExists: { 'aws:IsMcpServiceAction': 'true' } }],
    [{ Null: { 'aws:CalledVia': 'true' } }],
    [{ Null: { 'aws:ViaAWSService': 'false' } }],
    [{ StringEquals: { 'aws:SourceVpc': 'vpc-1' } }],
    [{ Bool: { 'aws:SecureTransport': 'true' } }],
    [{ NumericEquals: { 'aws:ViaAWSService': '1' } }],
  ])('may be met: %j', (condition) => {
    expect(never(condition)).toBe(false);
  });
});

describe('iam:PassedToService', () => {
  it('reads the services, exact or with wildcards, and their negation', () => {
    const exact = readCondition({ StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'lambda.amazonaws.com'] } }).passedToService!;
    expect(admitsService(exact, 'ec2.amazonaws.com')).toBe(true);
    expect(admitsService(exact, 'glue.amazonaws.com')).toBe(false);
    const like = readCondition({ StringLike: { 'iam:PassedToService': '*.amazonaws.com' } }).passedToService!;
    expect(admitsService(like, 'cloudformation.amazonaws.com')).toBe(true);
    const not = readCondition({ StringNotEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }).passedToService!;
    expect(admitsService(not, 'ec2.amazonaws.com')).toBe(false);
    expect(admitsService(not, 'lambda.amazonaws.com')).toBe(true);
    expect(readCondition({ StringEquals: { 'aws:SourceVpc': 'vpc-1' } }).passedToService).toBeUndefined();
  });
});
