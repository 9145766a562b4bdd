/** A Lambda invocation context for the handler tests: the function ARN gives account and region. */
import type { Context } from 'aws-lambda';
import { ACCOUNT } from './fixtures.js';

export function lambdaContext(remainingMs: number, region = 'us-east-1'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'emr-audit',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${ACCOUNT}:function:emr-audit`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/emr-audit',
    logStreamName: '2026/11/23/[$LATEST]abc',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
