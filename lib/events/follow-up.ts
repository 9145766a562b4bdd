/**
 * The follow-up of coalesced change events (docs/change-triggered-design.md has the why): one SQS
 * message per region and due time, sent with DelaySeconds so that it reaches the function (through
 * the queue's event source mapping) at the end of the debounce window. The queue holds only these
 * messages; the function's role alone may send to it.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { failureOf } from '../collect/calls.js';

export const FOLLOW_UP_KIND = 'emr-audit-change-follow-up';
/** The queue's URL (serverless.yml sets it); unset: no coalescing, every change is audited at once. */
export const FOLLOW_UP_QUEUE_ENV = 'EMR_AUDIT_FOLLOW_UP_QUEUE_URL';

export const FollowUpMessage = z.strictObject({
  kind: z.literal(FOLLOW_UP_KIND),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
  targets: z
    .array(z.string().regex(/^(j-[0-9A-Z]{1,64}|@[a-z-]{1,40})$/))
    .min(1)
    .max(1000),
  dueAt: z.iso.datetime(),
});
export type FollowUpMessage = z.infer<typeof FollowUpMessage>;

/** The part of Lambda's SQS event read: each record's body (the message). */
export const SqsBatch = z.object({
  Records: z
    .array(z.object({ eventSource: z.literal('aws:sqs'), messageId: z.string(), body: z.string() }))
    .min(1)
    .max(10_000),
});

export function isSqsBatch(event: unknown): boolean {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.length > 0 && (records[0] as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs';
}

/** Every follow-up message of a batch, or the first problem (the record and what is wrong). */
export function parseFollowUps(event: unknown): { ok: true; messages: FollowUpMessage[] } | { ok: false; message: string; field: string } {
  const batch = SqsBatch.safeParse(event);
  if (!batch.success) return { ok: false, message: `not an SQS batch of follow-up messages (${batch.error.issues[0]?.message ?? 'invalid'})`, field: 'Records' };
  const messages: FollowUpMessage[] = [];
  for (const [i, r] of batch.data.Records.entries()) {
    let json: unknown;
    try {
      json = JSON.parse(r.body);
    } catch {
      return { ok: false, message: `record ${r.messageId}: the body is not JSON`, field: `Records[${i}].body` };
    }
    const m = FollowUpMessage.safeParse(json);
    if (!m.success) return { ok: false, message: `record ${r.messageId}: not a follow-up message (${m.error.issues[0]?.path.join('.') ?? ''}: ${m.error.issues[0]?.message ?? 'invalid'})`, field: `Records[${i}].body` };
    messages.push(m.data);
  }
  return { ok: true, messages };
}

export async function sendFollowUp(sqs: SQSClient, queueUrl: string, message: FollowUpMessage, delaySeconds: number): Promise<{ sent: true } | { sent: false; note: string }> {
  try {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))) }));
    return { sent: true };
  } catch (e) {
    const f = failureOf('sqs:SendMessage', e);
    return { sent: false, note: `${f.api} ${f.code}: ${f.message}` };
  }
}
