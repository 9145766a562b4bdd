import { systemClock } from '../../lib/clock.js';
import { DescribeClusterCommand } from '@aws-sdk/client-emr';
import { describe, expect, it } from 'vitest';
import { CallRunner, Memo, allPages, chunk, failureOf } from '../../lib/collect/calls.js';
import { createLimiter, KeyedLimiter } from '../../lib/concurrency.js';
import { defaultSettings } from '../../lib/settings.js';
import { FakeAccount, REGION } from '../helpers/fake-account.js';
import { collect, defaultCluster } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs tasks and reports the highest number in flight at once. */
async function peak(run: (task: () => Promise<void>) => Promise<void>[]): Promise<number> {
  let inFlight = 0;
  let max = 0;
  await Promise.all(
    run(async () => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      await sleep(5);
      inFlight -= 1;
    }),
  );
  return max;
}

describe('limiters', () => {
  it('runs at most N tasks at once, all of them eventually, in order', async () => {
    const limit = createLimiter(3);
    const order: number[] = [];
    const max = await peak((task) => Array.from({ length: 10 }, (_, i) => limit(async () => { order.push(i); await task(); })));
    expect(max).toBe(3);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a failing task frees its slot', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit(() => Promise.resolve(42))).resolves.toBe(42);
  });

  it('keys are limited independently', async () => {
    const keyed = new KeyedLimiter(() => 2);
    const max = await peak((task) => [...Array.from({ length: 6 }, () => keyed.run('a', task)), ...Array.from({ length: 6 }, () => keyed.run('b', task))]);
    expect(max).toBe(4);
  });

  it('rejects a non-positive concurrency', () => {
    expect(() => createLimiter(0)).toThrow(/positive integer/);
  });
});

describe('CallRunner', () => {
  it('bounds concurrency per scope and API', async () => {
    const runner = new CallRunner({ concurrency: 2, clock: systemClock });
    const max = await peak((task) => Array.from({ length: 8 }, () => runner.call('us-east-1', 'emr:DescribeCluster', task)));
    const mixed = await peak((task) => [
      ...Array.from({ length: 4 }, () => runner.call('us-east-1', 'emr:DescribeCluster', task)),
      ...Array.from({ length: 4 }, () => runner.call('eu-west-1', 'emr:DescribeCluster', task)),
    ]);
    runner.close();
    expect(max).toBe(2);
    expect(mixed).toBe(4);
  });

  it('starts nothing after the deadline', async () => {
    let now = 1000;
    const runner = new CallRunner({ concurrency: 1, deadline: 2000, clock: { now: () => now, setTimer: () => () => undefined } });
    await expect(runner.call('r', 'api', () => Promise.resolve('ok'))).resolves.toBe('ok');
    now = 2000;
    let called = false;
    await expect(
      runner.call('r', 'api', () => {
        called = true;
        return Promise.resolve('late');
      }),
    ).rejects.toMatchObject({ name: 'TimeBudgetExceeded' });
    expect(called).toBe(false);
    runner.close();
  });

  it('attempt turns a thrown AWS error into a failure with its code', async () => {
    const runner = new CallRunner({ concurrency: 1, clock: systemClock });
    const err = Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' });
    await expect(runner.attempt('iam:GetRole', () => Promise.reject(err))).resolves.toEqual({
      ok: false,
      failures: [{ api: 'iam:GetRole', code: 'AccessDenied', message: 'User is not authorized' }],
    });
    await expect(runner.attempt('iam:GetRole', () => Promise.resolve(1))).resolves.toEqual({ ok: true, value: 1 });
  });

  it('collectSnapshot honours settings.apiConcurrency', async () => {
    const fake = new FakeAccount().withDefaults();
    for (let n = 0; n < 8; n++) fake.addCluster(defaultCluster(`j-${n}`, { instances: [] }));
    const mocks = fake.mock();
    let inFlight = 0;
    let max = 0;
    mocks.emr.on(DescribeClusterCommand).callsFake(async (input: object) => {
      inFlight += 1;
      max = Math.max(max, inFlight);
      await sleep(5);
      inFlight -= 1;
      return fake.handle('elasticmapreduce:DescribeCluster', input, REGION);
    });
    try {
      await collect(fake, { settings: { ...defaultSettings(), apiConcurrency: 3 } });
    } finally {
      mocks.restore();
    }
    expect(max).toBe(3);
  });
});

describe('helpers', () => {
  it('allPages follows tokens to the end', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = { start: { items: [1, 2], next: 'a' }, a: { items: [3], next: 'b' }, b: { items: [4] } };
    await expect(allPages((t) => Promise.resolve(pages[t ?? 'start']!))).resolves.toEqual([1, 2, 3, 4]);
  });

  it('allPages stops on a token that does not advance', async () => {
    await expect(allPages(() => Promise.resolve({ items: [1], next: 'same' }))).rejects.toThrow(/pagination token repeated/);
  });

  it('Memo shares one in-flight promise per key', async () => {
    const memo = new Memo<string, number>();
    let calls = 0;
    const make = async () => {
      calls += 1;
      await sleep(1);
      return calls;
    };
    const [a, b] = await Promise.all([memo.get('k', make), memo.get('k', make)]);
    expect([a, b, calls]).toEqual([1, 1, 1]);
  });

  it('chunk splits into batches', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 50)).toEqual([]);
  });

  it('failureOf keeps the code and bounds the message', () => {
    expect(failureOf('x:Y', 'plain')).toEqual({ api: 'x:Y', code: 'Error', message: 'plain' });
    expect(failureOf('x:Y', new Error('m'.repeat(2000))).message.length).toBeLessThan(600);
  });

  it('failureOf names a network failure by its errno code', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(failureOf('ec2:DescribeInstances', refused)).toEqual({
      api: 'ec2:DescribeInstances',
      code: 'ECONNREFUSED',
      message: 'the connection was refused: connect ECONNREFUSED 127.0.0.1:9',
    });
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied', code: 'ignored' });
    expect(failureOf('iam:GetRole', denied).code).toBe('AccessDenied');
  });
});
