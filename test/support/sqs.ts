import { SQSClient, type SendMessageBatchCommandInput, type SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * A real SQS client whose sends stop before the network: a middleware at the first step
 * records each SendMessageBatch input and answers as SQS would (every entry accepted,
 * unless told to fail some). No AWS call, no credentials looked up.
 *
 * @example
 * const { sqs, batches } = recordingSqs(); await createOffersCoordinator(config, { sqs })({ now }); batches[0].Entries
 */
export function recordingSqs({ failEntries = 0 } = {}) {
  const sqs = new SQSClient({ region: 'eu-central-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const batches: SendMessageBatchCommandInput[] = [];
  sqs.middlewareStack.add(
    () => async (args) => {
      const input = args.input as SendMessageBatchCommandInput;
      batches.push(input);
      const entries = input.Entries ?? [];
      const output: SendMessageBatchCommandOutput = {
        $metadata: {},
        Successful: entries.slice(failEntries).map((e) => ({ Id: e.Id!, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
        Failed: entries.slice(0, failEntries).map((e) => ({ Id: e.Id!, SenderFault: false, Code: 'InternalError' })),
      };
      return { output, response: {} } as never;
    },
    { step: 'initialize', name: 'recordSends' },
  );
  return { sqs, batches };
}

/** An SQS event as Lambda's event source mapping delivers it, one record per body (message ids `m-0`, `m-1`, …). */
export function sqsEvent(bodies: string[]): SQSEvent {
  const Records = bodies.map((body, i) => ({ messageId: `m-${i}`, receiptHandle: `r-${i}`, body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-central-1:123456789012:paddock-segments', awsRegion: 'eu-central-1' }) as unknown as SQSRecord);
  return { Records };
}
