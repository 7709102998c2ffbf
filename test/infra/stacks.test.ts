import { App } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/paddock-app.js';
import { INDEXES, TTL_ATTRIBUTE } from '../../src/store/table.js';

describe('CDK app', () => {
  let data: Template;
  let api: Template;

  beforeAll(() => {
    // Prepare: skip esbuild bundling (it is exercised by `npm run synth`)
    const { data: dataStack, api: apiStack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    data = Template.fromStack(dataStack);
    api = Template.fromStack(apiStack);
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
});
