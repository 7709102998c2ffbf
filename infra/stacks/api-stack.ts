import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, type CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AccountRecovery, CfnUserPoolGroup, FeaturePlan, Mfa, StandardThreatProtectionMode, StringAttribute, UserPool } from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { INDEXES } from '../../src/store/table.js';
import { GRAPHQL_ENTRY } from '../bundling.js';
import { alarmsTo, paddockFunction } from '../constructs/paddock-function.js';

export interface ApiStackProps extends StackProps {
  table: ITableV2;
  /** Front-end origins allowed by CORS. */
  corsOrigins: string[];
  /** Sustained and burst request rates per second for the whole API. */
  throttle?: { rateLimit: number; burstLimit: number };
}


/**
 * The stateless API stack: the Cognito user pool for the brand's front-ends, the GraphQL
 * function, the HTTP API in front of it, and alarms. Authentication happens in the
 * function (JWT and dealer API keys alike), so one route serves both kinds of caller.
 */
export class ApiStack extends Stack {
  readonly userPool: UserPool;
  readonly api: HttpApi;
  readonly function: NodejsFunction;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    this.userPool = new UserPool(this, 'Users', {
      userPoolName: 'paddock-users',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      // Which customer profile a customer's login belongs to; set by the brand, never by the user.
      customAttributes: { customerId: new StringAttribute({ mutable: false, minLen: 26, maxLen: 26 }) },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of ['admin', 'analyst', 'customer']) {
      new CfnUserPoolGroup(this, `Group-${group}`, { userPoolId: this.userPool.userPoolId, groupName: group, description: `Paddock role ${group}` });
    }
    const client = this.userPool.addClient('FrontEnds', {
      authFlows: { userSrp: true },
      generateSecret: false,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      preventUserExistenceErrors: true,
    });

    this.function = paddockFunction(this, 'Graphql', {
      entry: GRAPHQL_ENTRY,
      timeout: Duration.seconds(15),
      environment: {
        TABLE_NAME: props.table.tableName,
        PADDOCK_STAGE: 'production',
        AUTH_MODE: 'cognito',
        COGNITO_USER_POOL_ID: this.userPool.userPoolId,
        COGNITO_CLIENT_ID: client.userPoolClientId,
        API_KEY_CACHE_TTL_SECONDS: '30',
      },
    });
    // Least privilege: the item operations the API uses, on this table and its named indexes only.
    this.function.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [props.table.tableArn, ...Object.values(INDEXES).map((index) => `${props.table.tableArn}/index/${index.indexName}`)],
      }),
    );

    this.api = new HttpApi(this, 'Api', {
      apiName: 'paddock',
      description: 'Paddock GraphQL API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: props.corsOrigins,
        allowMethods: [CorsHttpMethod.POST, CorsHttpMethod.GET, CorsHttpMethod.OPTIONS],
        allowHeaders: ['content-type', 'authorization', 'x-api-key', 'apollo-require-preflight'],
        maxAge: Duration.hours(1),
      },
    });
    const integration = new HttpLambdaIntegration('GraphqlIntegration', this.function);
    this.api.addRoutes({ path: '/graphql', methods: [HttpMethod.POST, HttpMethod.GET], integration });

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    const throttle = props.throttle ?? { rateLimit: 200, burstLimit: 400 };
    const stage = new HttpStage(this, 'DefaultStage', { httpApi: this.api, stageName: '$default', autoDeploy: true, throttle });
    (stage.node.defaultChild as CfnStage).accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      // No query strings or bodies: they may hold personal data.
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        requestTime: '$context.requestTime',
        method: '$context.httpMethod',
        path: '$context.path',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationStatus: '$context.integrationStatus',
        integrationError: '$context.integrationErrorMessage',
      }),
    };

    const alarmKey = new Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Paddock alarm topic' });
    this.alarmTopic = new Topic(this, 'Alarms', { displayName: 'Paddock API alarms', masterKey: alarmKey, enforceSSL: true });
    const alarm = alarmsTo(this, this.alarmTopic);
    alarm('Api5xx', this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), 5, 'The API answered 5 or more 5xx in 5 minutes');
    alarm('FunctionErrors', this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 3, 'The GraphQL function failed 3 or more times in 5 minutes');
    alarm('FunctionThrottles', this.function.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), 1, 'The GraphQL function was throttled');
    alarm('FunctionLatency', this.function.metricDuration({ period: Duration.minutes(5), statistic: 'p99' }), 5_000, 'p99 duration of the GraphQL function above 5 s');

    new CfnOutput(this, 'GraphqlUrl', { value: `${this.api.apiEndpoint}/graphql` });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: client.userPoolClientId });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'Authentication runs in the function for both credentials (Cognito JWTs via aws-jwt-verify and dealer API keys looked up by hash); HTTP API allows one authorizer per route and has no API-key authorizer.',
    });
  }
}
