import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from './store.js';
import { ENTITY_TYPE_ATTRIBUTE, type Key } from './table.js';

/** The least a segment's checkpoint holds: how many pages it has done, and whether it is finished. */
export interface CheckpointState {
  pages: number;
  done: boolean;
}

/** Where a job keeps its run's items: one per segment, one for the run, and the entity names they carry. */
export interface CheckpointLayout {
  segment: (runId: string, segment: number) => Key;
  run: (runId: string) => Key;
  segmentEntity: string;
  runEntity: string;
}

/**
 * The checkpoints of a job that fans out over parallel-scan segments (the scores job, the
 * offers job): a worker resumes its segment from the state saved after its last page,
 * two workers on one segment (SQS delivers at least once) never both advance it, and
 * the run counts each finished segment exactly once, so exactly one worker sees the last
 * one arrive.
 */
export class SegmentCheckpoints<S extends CheckpointState> {
  constructor(
    private readonly store: Store,
    private readonly layout: CheckpointLayout,
  ) {}

  async state(runId: string, segment: number): Promise<S | null> {
    const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: this.layout.segment(runId, segment), ConsistentRead: true }));
    return Item ? (Item.state as S) : null;
  }

  /**
   * Saves a segment's progress — only over the progress this worker read (`readPages`)
   * and only while the segment is not done. Returns false when another worker on the same
   * segment moved it on or finished it first: that worker owns the segment now (its own
   * message is redelivered if it dies).
   */
  async save(runId: string, segment: number, state: S, readPages: number): Promise<boolean> {
    try {
      await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: this.layout.segment(runId, segment),
          UpdateExpression: 'SET #state = :state, #type = :type',
          ConditionExpression: readPages === 0 ? 'attribute_not_exists(#state)' : '#state.#done = :false AND #state.#pages = :read',
          ExpressionAttributeNames: { '#state': 'state', '#type': ENTITY_TYPE_ATTRIBUTE, ...(readPages === 0 ? {} : { '#done': 'done', '#pages': 'pages' }) },
          ExpressionAttributeValues: { ':state': state, ':type': this.layout.segmentEntity, ...(readPages === 0 ? {} : { ':false': false, ':read': readPages }) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Counts a segment on its run, exactly once: the run item records which segments it
   * counted, and the increment returns the count as of this very update, so only one
   * worker sees the last segment arrive. Returns that count, or — when the segment was
   * counted before (a redelivery) — the current count with `firstTime` false.
   */
  async count(runId: string, segment: number): Promise<{ count: number; firstTime: boolean }> {
    try {
      const { Attributes } = await this.store.doc.send(
        new UpdateCommand({
          TableName: this.store.tableName,
          Key: this.layout.run(runId),
          UpdateExpression: 'ADD #completed :one SET #seg = :true, #type = :type',
          ConditionExpression: 'attribute_not_exists(#seg)',
          ExpressionAttributeNames: { '#completed': 'completedSegments', '#seg': `segment${segment}`, '#type': ENTITY_TYPE_ATTRIBUTE },
          ExpressionAttributeValues: { ':one': 1, ':true': true, ':type': this.layout.runEntity },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { count: Attributes?.completedSegments as number, firstTime: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const { Item } = await this.store.doc.send(new GetCommand({ TableName: this.store.tableName, Key: this.layout.run(runId), ConsistentRead: true }));
      return { count: (Item?.completedSegments as number | undefined) ?? 0, firstTime: false };
    }
  }
}
