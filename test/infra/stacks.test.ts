import { App } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/paddock-app.js';
import { INDEXES, TTL_ATTRIBUTE } from '../../src/store/table.js';

describe('CDK app', () => {
  let data: Template;
  let api: Template;
  let jobs: Template;

  beforeAll(() => {
    // Prepare: skip esbuild bundling (it is exercised by `npm run synth`)
    const { data: dataStack, api: apiStack, jobs: jobsStack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    data = Template.fromStack(dataStack);
    api = Template.fromStack(apiStack);
    jobs = Template.fromStack(jobsStack);
  });

  describe('Stack: PaddockData', () => {
    it('keeps the table safe: on-demand, PITR, deletion protection, retained, encrypted, TTL, stream', () => {
      data.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
          StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
          Replicas: [Match.objectLike({ DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
        }),
      });
    });

    it('deploys exactly the key schema and indexes the application uses', () => {
      const indexes = new Capture();
      data.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: indexes,
      });
      expect(indexes.asArray().map((i: { IndexName: string; KeySchema: { AttributeName: string }[] }) => [i.IndexName, i.KeySchema.map((k) => k.AttributeName)])).toEqual(
        Object.values(INDEXES).map((i) => [i.indexName, [i.partitionKey, i.sortKey]]),
      );
    });
  });

  describe('Stack: PaddockApi', () => {
    it('runs the GraphQL function on Node.js 22, arm64, with production settings and Cognito auth', () => {
      api.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: Match.objectLike({ PADDOCK_STAGE: 'production', AUTH_MODE: 'cognito', API_KEY_CACHE_TTL_SECONDS: '30', TABLE_NAME: Match.anyValue(), COGNITO_USER_POOL_ID: Match.anyValue() }),
        },
      });
    });

    it('grants the function item access to its table and named indexes only, no table administration', () => {
      const statements = new Capture();
      api.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: statements } });
      const dynamo = (statements.asArray() as { Action: string[] | string; Resource: unknown }[]).find((s) => JSON.stringify(s.Action).includes('dynamodb:'))!;
      expect(dynamo.Action).not.toContain('dynamodb:*');
      expect(dynamo.Action).not.toContain('dynamodb:DeleteTable');
      expect(JSON.stringify(dynamo.Resource)).not.toContain('index/*');
      for (const index of Object.values(INDEXES)) expect(JSON.stringify(dynamo.Resource)).toContain(`/index/${index.indexName}`);
    });

    it('serves /graphql on an HTTP API with CORS, throttling and JSON access logs', () => {
      api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'HTTP',
        CorsConfiguration: Match.objectLike({ AllowHeaders: Match.arrayWith(['authorization', 'x-api-key']), AllowOrigins: Match.arrayWith([Match.stringLikeRegexp('^https://')]) }),
      });
      api.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
      api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /graphql' });
      api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
        AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      });
    });

    it('has a user pool with the three role groups, MFA and no self sign-up', () => {
      api.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
      for (const group of ['admin', 'analyst', 'customer']) api.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: group });
    });

    it('alarms on 5xx, function errors, throttles and latency, to an encrypted topic', () => {
      const metrics = api.findResources('AWS::CloudWatch::Alarm');
      const names = Object.values(metrics).map((a) => (a as { Properties: { MetricName: string } }).Properties.MetricName).sort();
      expect(names).toEqual(['5xx', 'Duration', 'Errors', 'Throttles']);
      for (const alarm of Object.values(metrics)) expect((alarm as { Properties: { AlarmActions: unknown[] } }).Properties.AlarmActions).toHaveLength(1);
      api.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    });
  });

  describe('Stack: PaddockJobs', () => {
    it('schedules the reminders job daily at 06:00 brand time, with the scheduled time as input, retries and a DLQ', () => {
      const target = new Capture();
      jobs.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'cron(0 6 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: target,
      });
      expect(JSON.parse(target.asObject().Input)).toEqual({ now: '<aws.scheduler.scheduled-time>' });
      expect(target.asObject().RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
      expect(target.asObject().DeadLetterConfig.Arn).toBeDefined();
    });

    it('runs the job on Node.js 22 with a 15-minute timeout, retried twice, failures to the DLQ', () => {
      jobs.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 900 });
      jobs.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
    });

    it('lets the job read only the DueForReminder index, not the other indexes', () => {
      const policies = JSON.stringify(Object.entries(jobs.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('RemindersJob')));
      expect(policies).not.toBe('[]');
      expect(policies).toContain(`/index/${INDEXES.dueForReminder.indexName}`);
      expect(policies).not.toContain(`/index/${INDEXES.byCollection.indexName}`);
    });

    it('schedules the club run hourly brand time, with the scheduled time as input, retries and the DLQ', () => {
      const target = new Capture();
      jobs.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: 'paddock-club',
        ScheduleExpression: 'cron(0 * * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Berlin',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: target,
      });
      expect(JSON.parse(target.asObject().Input)).toEqual({ now: '<aws.scheduler.scheduled-time>' });
      expect(target.asObject().RetryPolicy).toEqual({ MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3600 });
      expect(target.asObject().DeadLetterConfig.Arn).toBeDefined();
      expect(JSON.stringify(target.asObject().Arn)).toContain('ClubJob');
    });

    it('runs the club job handler with the table name, retried twice within the hour, failures to the DLQ', () => {
      const [id, fn] = Object.entries(jobs.findResources('AWS::Lambda::Function')).find(([key]) => key.startsWith('ClubJob'))!;
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 900, Handler: 'index.handler' });
      expect(Object.keys(fn.Properties.Environment.Variables)).toContain('TABLE_NAME');
      jobs.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
    });

    it('lets the club job reach the table and the BySchedule and ByCollection indexes only, with item reads and transactional writes', () => {
      const statements = Object.entries(jobs.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith('ClubJob'))
        .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement)
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
      expect(statements).toHaveLength(1);
      expect([statements[0]!.Action].flat().sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
      const resources = JSON.stringify(statements[0]!.Resource);
      expect(resources).toContain(`/index/${INDEXES.bySchedule.indexName}`);
      expect(resources).toContain(`/index/${INDEXES.byCollection.indexName}`);
      for (const other of [INDEXES.byParent, INDEXES.dueForReminder, INDEXES.byValue]) expect(resources).not.toContain(`/index/${other.indexName}`);
      expect(resources).not.toContain('/index/*');
    });

    it('carries new outbox items from the table stream to the event bus through a filtered, enriched pipe', () => {
      const filter = new Capture();
      jobs.hasResourceProperties('AWS::Pipes::Pipe', {
        Source: Match.anyValue(),
        Enrichment: Match.anyValue(),
        Target: Match.anyValue(),
        SourceParameters: { DynamoDBStreamParameters: Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, MaximumRetryAttempts: 10 }), FilterCriteria: { Filters: [{ Pattern: filter }] } },
        TargetParameters: { EventBridgeEventBusParameters: { Source: 'paddock', DetailType: '$.eventType' }, InputTemplate: '<$.detail>' },
      });
      expect(JSON.parse(filter.asString())).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { entityType: { S: ['OutboxEvent'] } } } });
      jobs.hasResourceProperties('AWS::Events::EventBus', { Name: 'paddock' });
      jobs.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
    });

    it('fans the nightly scores run out over an SQS queue: one worker per segment, redelivery, then the DLQ', () => {
      jobs.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 2 * * ? *)', ScheduleExpressionTimezone: 'Europe/Berlin' });
      jobs.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 960, RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() } });
      jobs.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 16 } });
      // Sized for a first night at 1M customers: ~3,900 customers a segment, under half an invocation at the slowest measured rate.
      jobs.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SCORES_SEGMENTS: '256' }) } });
      const policies = JSON.stringify(jobs.findResources('AWS::IAM::Policy'));
      expect(policies).toContain('dynamodb:Scan');
      expect(policies).toContain(`/index/${INDEXES.byCollection.indexName}`);
    });

    it('alarms on job failures, a run nearing its timeout, dead letters, backlog and enrichment errors', () => {
      const alarms = Object.values(jobs.findResources('AWS::CloudWatch::Alarm')).map((a) => (a as { Properties: { MetricName: string; Threshold: number } }).Properties);
      expect(alarms.map((a) => a.MetricName).sort()).toEqual([
        ...['ApproximateAgeOfOldestMessage', 'ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible', 'Duration', 'Duration', 'Duration'],
        ...['Errors', 'Errors', 'Errors', 'Errors', 'Errors', 'Errors', 'Errors', 'Errors'],
        ...['PoisonRecords', 'PoisonRecords', 'PoisonRecords', 'PoisonRecords', 'PoisonRecords', 'SegmentReceives', 'SegmentReceives'],
      ]);
      expect(alarms.filter((a) => a.MetricName === 'Duration').map((a) => a.Threshold)).toEqual([900_000 * 0.8, 900_000 * 0.8, 900_000 * 0.8]);
      jobs.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    });

    it('alarms on a scores segment delivered a third time, two receives before the DLQ takes it', () => {
      const redrive = new Capture();
      jobs.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 960, RedrivePolicy: redrive });
      const maxReceives = (redrive.asObject() as { maxReceiveCount: number }).maxReceiveCount;
      jobs.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Paddock/Jobs',
        MetricName: 'SegmentReceives',
        Dimensions: [{ Name: 'Job', Value: 'scores' }],
        Statistic: 'Maximum',
        Threshold: maxReceives - 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: Match.anyValue(),
      });
      // The backlog alarm stays: a run whose segments wait for workers for hours.
      jobs.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 3 * 3600 });
    });

    describe('the nightly offers run', () => {
      /** The resource of a type whose logical id starts with `prefix` (one expected). */
      const only = (type: string, prefix: string) => {
        const found = Object.entries(jobs.findResources(type)).filter(([id]) => id.startsWith(prefix));
        expect(found, `${type} ${prefix}*`).toHaveLength(1);
        return found[0]!;
      };

      it('is scheduled daily at 03:00 brand time, an hour after the scores run, with the scheduled time as input, retries and the DLQ', () => {
        // Prepare
        const target = new Capture();
        // Assess
        jobs.hasResourceProperties('AWS::Scheduler::Schedule', { Name: 'paddock-offers', ScheduleExpression: 'cron(0 3 * * ? *)', ScheduleExpressionTimezone: 'Europe/Berlin', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target });
        jobs.hasResourceProperties('AWS::Scheduler::Schedule', { Name: 'paddock-customer-scores', ScheduleExpression: 'cron(0 2 * * ? *)' });
        expect(JSON.parse(target.asObject().Input)).toEqual({ now: '<aws.scheduler.scheduled-time>' });
        expect(target.asObject().RetryPolicy.MaximumRetryAttempts).toBeGreaterThan(0);
        expect(target.asObject().DeadLetterConfig.Arn).toBeDefined();
        expect(JSON.stringify(target.asObject().Arn)).toContain('OffersCoordinator');
      });

      it('fans out over its own encrypted queue: the coordinator queues segments, one worker per message, redelivery, then the DLQ', () => {
        const [queueId, queue] = only('AWS::SQS::Queue', 'OffersSegments');
        expect(queue.Properties).toMatchObject({ VisibilityTimeout: 960, KmsMasterKeyId: expect.anything(), RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^DeadLetters/), 'Arn'] } } });
        const [, coordinator] = only('AWS::Lambda::Function', 'OffersCoordinator');
        expect(coordinator.Properties.Environment.Variables).toMatchObject({ OFFERS_SEGMENTS: '256', OFFERS_QUEUE_URL: { Ref: queueId } });
        const [workerId, worker] = only('AWS::Lambda::Function', 'OffersWorker');
        expect(worker.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 900 });
        expect(Object.keys(worker.Properties.Environment.Variables)).toContain('TABLE_NAME');
        jobs.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionName: { Ref: workerId }, BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'], ScalingConfig: { MaximumConcurrency: 16 }, EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
      });

      it('lets the worker scan the table, read the catalogue (ByCollection) and batches, and write transactions: no other index, no deletes', () => {
        const statements = Object.entries(jobs.findResources('AWS::IAM::Policy'))
          .filter(([id]) => id.startsWith('OffersWorker'))
          .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement)
          .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
        expect(statements).toHaveLength(1);
        expect([statements[0]!.Action].flat().sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:UpdateItem']);
        const resources = JSON.stringify(statements[0]!.Resource);
        expect(resources).toContain(`/index/${INDEXES.byCollection.indexName}`);
        for (const other of [INDEXES.byParent, INDEXES.dueForReminder, INDEXES.byValue, INDEXES.bySchedule]) expect(resources).not.toContain(`/index/${other.indexName}`);
      });

      it('alarms on worker and coordinator errors, a segment delivered a third time, and a backlog', () => {
        const alarms = Object.entries(jobs.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('Offers')).map(([, a]) => a.Properties);
        expect(alarms.map((a) => a.MetricName).sort()).toEqual(['ApproximateAgeOfOldestMessage', 'Errors', 'Errors', 'PoisonRecords', 'SegmentReceives']);
        jobs.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Paddock/Jobs', MetricName: 'SegmentReceives', Dimensions: [{ Name: 'Job', Value: 'offers' }], Statistic: 'Maximum', Threshold: 3, AlarmActions: Match.anyValue() });
      });
    });

    describe('the nightly fleet-rates run', () => {
      const statementsOf = (prefix: string) =>
        Object.entries(jobs.findResources('AWS::IAM::Policy'))
          .filter(([id]) => id.startsWith(prefix))
          .flatMap(([, p]) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] } } }).Properties.PolicyDocument.Statement)
          .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));

      it('is scheduled daily at 01:00 brand time, before the scores, offers and reminders runs, with the scheduled time as input, retries and the DLQ', () => {
        // Prepare
        const target = new Capture();
        // Assess
        jobs.hasResourceProperties('AWS::Scheduler::Schedule', { Name: 'paddock-fleet-rates', ScheduleExpression: 'cron(0 1 * * ? *)', ScheduleExpressionTimezone: 'Europe/Berlin', FlexibleTimeWindow: { Mode: 'OFF' }, Target: target });
        expect(JSON.parse(target.asObject().Input)).toEqual({ now: '<aws.scheduler.scheduled-time>' });
        expect(target.asObject().RetryPolicy).toEqual({ MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 6 * 3600 });
        expect(target.asObject().DeadLetterConfig.Arn).toBeDefined();
        expect(JSON.stringify(target.asObject().Arn)).toContain('FleetRatesJob');
      });

      it('runs its handler with the table name, retried twice, failures to the DLQ', () => {
        const [id, fn] = Object.entries(jobs.findResources('AWS::Lambda::Function')).find(([key]) => key.startsWith('FleetRatesJob'))!;
        expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Timeout: 900, Handler: 'index.handler' });
        expect(Object.keys(fn.Properties.Environment.Variables)).toContain('TABLE_NAME');
        jobs.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 6 * 3600, DestinationConfig: { OnFailure: { Destination: Match.anyValue() } } });
      });

      it('may query ByCollection and ByParent only, and read and write only items of its own partition: no scan, no update, no delete', () => {
        const statements = statementsOf('FleetRatesJob');
        expect(statements).toHaveLength(2);
        const [reads, own] = [statements.find((s) => [s.Action].flat().includes('dynamodb:Query'))!, statements.find((s) => !([s.Action].flat().includes('dynamodb:Query')))!];
        expect([reads.Action].flat()).toEqual(['dynamodb:Query']);
        const indexes = JSON.stringify(reads.Resource);
        expect(indexes).toContain(`/index/${INDEXES.byCollection.indexName}`);
        expect(indexes).toContain(`/index/${INDEXES.byParent.indexName}`);
        for (const other of [INDEXES.dueForReminder, INDEXES.byValue, INDEXES.bySchedule]) expect(indexes).not.toContain(`/index/${other.indexName}`);
        expect(indexes).not.toContain('/index/*');
        expect([own.Action].flat().sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
        expect(JSON.stringify(own.Resource)).not.toContain('/index/');
        expect(own.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['FLEETRATES'] } });
      });

      it('alarms on a failed run and on a run nearing its timeout', () => {
        const alarms = Object.entries(jobs.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('FleetRates')).map(([, a]) => a.Properties);
        expect(alarms.map((a) => [a.MetricName, a.Threshold]).sort()).toEqual([['Duration', 900_000 * 0.8], ['Errors', 1]]);
        for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
      });
    });

    it('alarms when a job skips a poison record, per job, from the metric the job logs', () => {
      for (const job of ['scores', 'offers', 'reminders', 'club', 'event-holds']) {
        jobs.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'Paddock/Jobs',
          MetricName: 'PoisonRecords',
          Dimensions: [{ Name: 'Job', Value: job }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: Match.anyValue(),
        });
      }
    });
  });
});
