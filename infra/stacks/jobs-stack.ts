import { Duration, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { CLUB_JOB } from '../../src/club/club-job.js';
import { EVENT_HOLDS_JOB } from '../../src/events/holds-job.js';
import { fleetRatesKeys } from '../../src/fleet-rates/fleet-rates-records.js';
import { EVENT_SOURCE, OUTBOX_ENTITY } from '../../src/store/outbox.js';
import { REMINDERS_JOB } from '../../src/reminder/reminders-job.js';
import { JOBS_METRIC_NAMESPACE, POISON_RECORDS_METRIC } from '../../src/shared/metrics.js';
import { INDEXES } from '../../src/store/table.js';
import { SEGMENT_RECEIVES_METRIC } from '../../src/handlers/segment-fan-out.js';
import { OFFERS_JOB } from '../../src/offers/offers-job.js';
import { SCORES_JOB } from '../../src/value/scores-job.js';
import { alarmsTo, paddockFunction } from '../constructs/paddock-function.js';

export interface JobsStackProps extends StackProps {
  table: ITableV2;
  /** Parallel-scan segments of a scores run (each one worker invocation). */
  scoresSegments?: number;
  /** Scores workers running at once. */
  scoresConcurrency?: number;
  /** Parallel-scan segments of an offers run. */
  offersSegments?: number;
  /** Offers workers running at once. */
  offersConcurrency?: number;
  /** The brand's time zone: schedules fire at local time, daylight saving included. */
  timeZone?: string;
}

/** Lambda timeout of the reminders job; alarms fire when a run gets close to it. */
export const REMINDERS_TIMEOUT = Duration.minutes(15);
export const SCORES_TIMEOUT = Duration.minutes(15);
/**
 * The scores run's fan-out, sized for a first night at 1M customers (every score new, the
 * slowest night). Measured by `npm run bench` (scores section, which prints the projection):
 * 19–26 ms per customer per worker on a busy 2-core machine, up to 87 ms in slower runs, so
 * a segment of 1M / 256 ≈ 3,900 customers takes 1.5–5.7 min — under half of one 15-minute
 * invocation even at the slow end, where 16 segments of 62,500 took 25–91 min and the
 * slowest ran out of receives into the DLQ. 16
 * workers at once make that night 16 waves (≈ 25–90 min) while keeping the write rate a
 * table can absorb; later nights write ~3 % of the scores and run several times faster.
 * More segments cost little: each adds one message, one checkpoint and its partial KPI
 * sums (one small item per dealer it touches).
 */
export const SCORES_FAN_OUT = { segments: 256, workers: 16, maxReceives: 5 } as const;
export const OFFERS_TIMEOUT = Duration.minutes(15);
/**
 * The offers run's fan-out: the scores run's segments of the same customer table, so a
 * segment is ~3,900 customers at 1M. Measured by `npm run bench -- --only offers` (which
 * prints the projection): a first night (every decision new, ~1.9 a customer) at 37 ms per
 * customer per worker on a busy 2-core machine, so a segment takes ~2.4 min — under a
 * fifth of one invocation — and 16 workers decide 1M customers in ~40 min at ~3,300 WCU/s
 * (one transaction per customer: decisions, events, book, statistics). Nights with nothing
 * to change read and plan at ~2 ms per customer and write nothing.
 */
export const OFFERS_FAN_OUT = { segments: 256, workers: 16, maxReceives: 5 } as const;
/** Lambda timeout of the hourly club run (expiry, level reviews, lapsed holds, the KPI roll-up). */
export const CLUB_TIMEOUT = Duration.minutes(15);
/**
 * Lambda timeout of the nightly fleet-rates run: one pass over the vehicle items, 16
 * dealers at a time. Measured on DynamoDB Local: 1,000 planned cars of 10 dealers in
 * 0.36 s, so ~6 minutes for 1M cars if it scales linearly; the alarm at 80 % says when it stops fitting.
 */
export const FLEET_RATES_TIMEOUT = Duration.minutes(15);

/**
 * Scheduled jobs and events out: the daily reminders job, the nightly fleet-rates, scores
 * and offers runs and the hourly club run (EventBridge Scheduler, brand time zone, retries,
 * dead-letter queue, alarms; the scores and offers runs each fanned out over an SQS
 * queue, one worker per parallel-scan segment) and the outbox wiring — the table's
 * stream through EventBridge Pipes onto Paddock's event bus.
 */
export class JobsStack extends Stack {
  readonly bus: EventBus;
  readonly remindersFunction: NodejsFunction;
  readonly clubFunction: NodejsFunction;
  readonly fleetRatesFunction: NodejsFunction;
  readonly deadLetters: Queue;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: JobsStackProps) {
    super(scope, id, props);
    const { table } = props;
    const key = new Key(this, 'JobsKey', { enableKeyRotation: true, description: 'Paddock jobs: queues and alarm topic' });
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'Paddock job alarms', masterKey: key, enforceSSL: true });
    // One dead-letter queue for everything that failed for good: job invocations, schedule deliveries, pipe batches.
    this.deadLetters = new Queue(this, 'DeadLetters', { encryption: QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: Duration.days(14) });
    this.bus = new EventBus(this, 'Bus', { eventBusName: 'paddock' });
    this.bus.archive('Archive', { eventPattern: { source: [EVENT_SOURCE] }, retention: Duration.days(30), description: 'Replayable history of Paddock events' });


    // The reminders job: reads the DueForReminder index and owner profiles, writes reminders, vehicles and outbox items.
    this.remindersFunction = paddockFunction(this, 'RemindersJob', { entry: 'src/handlers/reminders-job.ts', timeout: REMINDERS_TIMEOUT, environment: { TABLE_NAME: table.tableName } });
    this.remindersFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
        resources: [table.tableArn, `${table.tableArn}/index/${INDEXES.dueForReminder.indexName}`],
      }),
    );
    // Failed runs are retried twice by Lambda (each retry resumes the work); then they land in the DLQ.
    this.remindersFunction.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.deadLetters) });

    const schedulerRole = new Role(this, 'SchedulerRole', { assumedBy: new ServicePrincipal('scheduler.amazonaws.com') });
    this.deadLetters.grantSendMessages(schedulerRole);
    /** A schedule in the brand's time zone that invokes `target` with its own scheduled time; deliveries retried for `maxAge`. */
    const schedule = (id: string, name: string, description: string, expression: string, target: IFunction, maxAge: Duration) => {
      target.grantInvoke(schedulerRole);
      return new CfnSchedule(this, id, {
        name,
        description,
        scheduleExpression: expression,
        scheduleExpressionTimezone: props.timeZone ?? 'Europe/Berlin',
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: target.functionArn,
          roleArn: schedulerRole.roleArn,
          // The scheduled time, not the delivery time: a retried delivery decides as the on-time one.
          input: JSON.stringify({ now: '<aws.scheduler.scheduled-time>' }),
          retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: maxAge.toSeconds() },
          deadLetterConfig: { arn: this.deadLetters.queueArn },
        },
      });
    };
    /** A daily schedule at `hour` brand time. */
    const daily = (id: string, name: string, description: string, hour: number, target: IFunction) => schedule(id, name, description, `cron(0 ${hour} * * ? *)`, target, Duration.hours(6));
    daily('RemindersSchedule', 'paddock-maintenance-reminders', 'Daily: create maintenance reminders 14 days ahead', 6, this.remindersFunction);

    // The club run: points expiry and warnings, level reviews, lapsed waitlist holds, the daily club KPI roll-up.
    // It reads the BySchedule index (what is due) and ByCollection (a lapsed hold's waitlist; members and events
    // for the roll-up), and writes through transactions of puts, updates and condition checks: nothing else.
    this.clubFunction = paddockFunction(this, 'ClubJob', { entry: 'src/handlers/club-job.ts', timeout: CLUB_TIMEOUT, environment: { TABLE_NAME: table.tableName } });
    this.clubFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
        resources: [table.tableArn, `${table.tableArn}/index/${INDEXES.bySchedule.indexName}`, `${table.tableArn}/index/${INDEXES.byCollection.indexName}`],
      }),
    );
    // Retried twice by Lambda (each retry resumes); an hour old, the next hourly run has taken over.
    this.clubFunction.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(1), onFailure: new SqsDestination(this.deadLetters) });
    // Hourly: holds lapse by the hour (48 h holds, never past an event's start); expiry and reviews are by the day,
    // so only a day's first run finds them, and every other run reads empty index ranges.
    schedule('ClubSchedule', 'paddock-club', 'Hourly: points expiry and warnings, level reviews, lapsed event seat holds, club KPIs', 'cron(0 * * * ? *)', this.clubFunction, Duration.hours(1));

    // The fleet-rates run: reads the dealers (ByCollection) and each dealer's cars (ByParent), and writes
    // nothing but its own items — the current rates and a new version, both in the FLEETRATES partition.
    this.fleetRatesFunction = paddockFunction(this, 'FleetRatesJob', { entry: 'src/handlers/fleet-rates-job.ts', timeout: FLEET_RATES_TIMEOUT, environment: { TABLE_NAME: table.tableName } });
    this.fleetRatesFunction.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${INDEXES.byCollection.indexName}`, `${table.tableArn}/index/${INDEXES.byParent.indexName}`] }),
    );
    this.fleetRatesFunction.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [fleetRatesKeys.current().PK] } },
      }),
    );
    // Retried twice by Lambda (a retry is a whole new pass; one of a run that saved finds the rates unchanged).
    this.fleetRatesFunction.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new SqsDestination(this.deadLetters) });
    // 01:00, before the scores (02:00), offers (03:00) and reminders (06:00) runs, and outside the hour daylight
    // saving skips or repeats in Europe (02:00–03:00): plans written the next day use the new rates.
    daily('FleetRatesSchedule', 'paddock-fleet-rates', 'Nightly: learn the fleet’s mileage and battery rates per cohort, saved as a new version', 1, this.fleetRatesFunction);

    const alarm = alarmsTo(this, this.alarmTopic);
    /**
     * A nightly job fanned out over parallel-scan segments (`src/handlers/segment-fan-out.ts`):
     * a coordinator queues one message per segment of the run; workers take a segment each,
     * a segment that runs out of time is redelivered and resumes from its checkpoint, and
     * after `maxReceives` deliveries it lands in the DLQ. Alarms: worker and coordinator
     * errors, a segment delivered a third time (two receives left before the DLQ), a backlog.
     */
    const fannedOut = (
      id: 'Scores' | 'Offers',
      job: string,
      o: { fanOut: { segments: number; workers: number; maxReceives: number }; segments?: number; workers?: number; timeout: Duration; hour: number; scheduleName: string; description: string; actions: string[] },
    ) => {
      const queue = new Queue(this, `${id}Segments`, {
        encryption: QueueEncryption.KMS,
        encryptionMasterKey: key,
        enforceSSL: true,
        // Longer than a worker's timeout, so a running segment is not handed to a second worker.
        visibilityTimeout: o.timeout.plus(Duration.minutes(1)),
        deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: o.fanOut.maxReceives },
      });
      const variable = id.toUpperCase();
      const coordinator = paddockFunction(this, `${id}Coordinator`, {
        entry: `src/handlers/${job}-coordinator.ts`,
        timeout: Duration.minutes(1),
        environment: { [`${variable}_QUEUE_URL`]: queue.queueUrl, [`${variable}_SEGMENTS`]: String(o.segments ?? o.fanOut.segments) },
      });
      queue.grantSendMessages(coordinator);
      coordinator.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(this.deadLetters) });
      const worker = paddockFunction(this, `${id}Worker`, { entry: `src/handlers/${job}-worker.ts`, timeout: o.timeout, environment: { TABLE_NAME: table.tableName } });
      worker.addToRolePolicy(new PolicyStatement({ actions: o.actions, resources: [table.tableArn, `${table.tableArn}/index/${INDEXES.byCollection.indexName}`] }));
      worker.addEventSource(new SqsEventSource(queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: o.workers ?? o.fanOut.workers }));
      daily(`${id}Schedule`, o.scheduleName, o.description, o.hour, coordinator);

      alarm(`${id}WorkerErrors`, worker.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }), 1, `A ${job} worker failed (its segment is redelivered and resumes)`);
      alarm(`${id}CoordinatorErrors`, coordinator.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }), 1, `The nightly ${job} run could not be started`);
      // Before the DLQ: a segment delivered a third time has failed or run out of time twice; two receives are left to act.
      alarm(
        `${id}SegmentRedelivered`,
        new Metric({ namespace: JOBS_METRIC_NAMESPACE, metricName: SEGMENT_RECEIVES_METRIC, dimensionsMap: { Job: job }, period: Duration.minutes(15), statistic: 'Maximum' }),
        o.fanOut.maxReceives - 2,
        `A ${job} segment was delivered ${o.fanOut.maxReceives - 2} times (the DLQ takes it after ${o.fanOut.maxReceives}): look at the worker's errors and durations, raise segments if it runs out of time`,
      );
      alarm(`${id}Backlog`, queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(15), statistic: 'Maximum' }), 3 * 3600, `${id} segments waiting over 3 hours: raise worker concurrency or segments`);
      return { coordinator, worker };
    };

    // The nightly scores run: scans the customers, writes changed scores, KPI partial sums (BatchWrite) and roll-ups (ByCollection).
    const scores = fannedOut('Scores', SCORES_JOB, {
      fanOut: SCORES_FAN_OUT,
      segments: props.scoresSegments,
      workers: props.scoresConcurrency,
      timeout: SCORES_TIMEOUT,
      hour: 2,
      scheduleName: 'paddock-customer-scores',
      description: 'Nightly: recompute every customer’s value scores and the KPI roll-ups',
      actions: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:ConditionCheckItem'],
    });
    // The nightly offers run, an hour after the scores run: decisions rank on propensities and tiers from that
    // night's scores (a segment the scores run has not reached yet ranks on the previous night's, never on none).
    // It scans the customers, reads the catalogue (ByCollection) and a page's books and memberships (BatchGetItem),
    // and writes decisions, books, events and statistics in one transaction per customer.
    const offers = fannedOut('Offers', OFFERS_JOB, {
      fanOut: OFFERS_FAN_OUT,
      segments: props.offersSegments,
      workers: props.offersConcurrency,
      timeout: OFFERS_TIMEOUT,
      hour: 3,
      scheduleName: 'paddock-offers',
      description: 'Nightly: decide every customer’s next best offers, close expired and withdrawn ones',
      actions: ['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
    });

    // Events out: new outbox items on the stream → enrichment (unmarshall) → the bus.
    const enrichment = paddockFunction(this, 'OutboxEnrichment', { entry: 'src/handlers/outbox-enrichment.ts', timeout: Duration.seconds(30), environment: {} });
    const pipeRole = new Role(this, 'OutboxPipeRole', { assumedBy: new ServicePrincipal('pipes.amazonaws.com') });
    pipeRole.addToPolicy(new PolicyStatement({ actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [table.tableStreamArn!] }));
    pipeRole.addToPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    enrichment.grantInvoke(pipeRole);
    this.bus.grantPutEventsTo(pipeRole);
    this.deadLetters.grantSendMessages(pipeRole);
    new CfnPipe(this, 'OutboxPipe', {
      name: 'paddock-outbox',
      description: 'Carries outbox items from the table stream to the Paddock event bus',
      roleArn: pipeRole.roleArn,
      source: table.tableStreamArn!,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: 10,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetters.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entityType: { S: [OUTBOX_ENTITY] } } } }) }] },
      },
      enrichment: enrichment.functionArn,
      target: this.bus.eventBusArn,
      targetParameters: { eventBridgeEventBusParameters: { source: EVENT_SOURCE, detailType: '$.eventType' }, inputTemplate: '<$.detail>' },
    });

    alarm('RemindersJobErrors', this.remindersFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }), 1, 'The reminders job failed (it is retried; see the DLQ if it keeps failing)');
    alarm('RemindersJobNearTimeout', this.remindersFunction.metricDuration({ period: Duration.hours(1), statistic: 'Maximum' }), REMINDERS_TIMEOUT.toMilliseconds() * 0.8, 'A reminders run took over 80 % of its timeout: shard the work before it stops fitting');
    alarm('ClubJobErrors', this.clubFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }), 1, 'The club run failed (it is retried, and the next hourly run continues; see the DLQ if it keeps failing)');
    alarm('ClubJobNearTimeout', this.clubFunction.metricDuration({ period: Duration.hours(1), statistic: 'Maximum' }), CLUB_TIMEOUT.toMilliseconds() * 0.8, 'A club run took over 80 % of its timeout: run shards in parallel (the handler takes {"shards": [...]}) before it stops fitting');
    alarm('FleetRatesJobErrors', this.fleetRatesFunction.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }), 1, 'The fleet-rates run failed (it is retried; plans keep the previous version meanwhile; see the DLQ if it keeps failing)');
    alarm('FleetRatesJobNearTimeout', this.fleetRatesFunction.metricDuration({ period: Duration.hours(1), statistic: 'Maximum' }), FLEET_RATES_TIMEOUT.toMilliseconds() * 0.8, 'A fleet-rates run took over 80 % of its timeout: read the dealers in more parallel streams or fan out before it stops fitting');
    alarm('DeadLettersWaiting', this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), 1, 'A job invocation, schedule delivery or outbox batch failed for good');
    // Poison records: a customer or car a job skipped (the run completed for everyone else). The job logs the
    // count in the embedded metric format; the records are listed by `npm run job:failures -- --job <job> --run <runId>`.
    for (const [id, job] of [['ScoresPoisonRecords', SCORES_JOB], ['OffersPoisonRecords', OFFERS_JOB], ['RemindersPoisonRecords', REMINDERS_JOB], ['ClubPoisonRecords', CLUB_JOB], ['EventHoldsPoisonRecords', EVENT_HOLDS_JOB]] as const) {
      const metric = new Metric({ namespace: JOBS_METRIC_NAMESPACE, metricName: POISON_RECORDS_METRIC, dimensionsMap: { Job: job }, period: Duration.hours(1), statistic: 'Sum' });
      alarm(id, metric, 1, `The ${job} job skipped records it could not process: list them with npm run job:failures -- --job ${job} --run <runId>, then repair the items`);
    }
    alarm('OutboxEnrichmentErrors', enrichment.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1, 'The outbox enrichment failed: events are delayed');

    // grantSendMessages to the KMS-encrypted DLQ adds the key's data-key actions (on this one key only).
    const kmsForDlq = ['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((action) => ({
      id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
      reason: 'Sending to the KMS-encrypted dead-letter queue needs the data-key actions, granted on this stack’s key only.',
    }));
    // grantInvoke covers the function's versions and aliases (`<arn>:*`), nothing else.
    const invokeVersions = (f: IFunction) => ({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${this.getLogicalId(f.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason: 'Invoking the function’s own versions and aliases.',
    });
    Validations.of(this.remindersFunction).acknowledge(...kmsForDlq);
    for (const f of [scores.coordinator, scores.worker, offers.coordinator, offers.worker]) Validations.of(f).acknowledge(...kmsForDlq);
    Validations.of(this.clubFunction).acknowledge(...kmsForDlq);
    Validations.of(this.fleetRatesFunction).acknowledge(...kmsForDlq);
    Validations.of(schedulerRole).acknowledge(
      ...kmsForDlq,
      invokeVersions(this.remindersFunction),
      invokeVersions(scores.coordinator),
      invokeVersions(offers.coordinator),
      invokeVersions(this.clubFunction),
      invokeVersions(this.fleetRatesFunction),
    );
    Validations.of(pipeRole).acknowledge(...kmsForDlq, invokeVersions(enrichment), {
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'dynamodb:ListStreams is an account-level action with no resource-level permissions; it reads no data.',
    });
    Validations.of(this.deadLetters).acknowledge({ id: 'AwsSolutions::AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue.' });
  }
}
