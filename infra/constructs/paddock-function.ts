import { fileURLToPath } from 'node:url';
import { RemovalPolicy, Validations, type Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { LAMBDA_BUNDLE } from '../bundling.js';

/**
 * Every Paddock function the same way: Node.js 22 on arm64, X-Ray, its own log group,
 * the shared esbuild bundle options, and the cdk-nag findings every Lambda shares
 * acknowledged once, with their reasons.
 */
export function paddockFunction(scope: Construct, id: string, props: { entry: string; timeout: Duration; environment: Record<string, string> }): NodejsFunction {
  const fn = new NodejsFunction(scope, id, {
    entry: fileURLToPath(new URL(`../../${props.entry}`, import.meta.url)),
    handler: 'handler',
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: 1024,
    timeout: props.timeout,
    tracing: Tracing.ACTIVE,
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY }),
    bundling: { ...LAMBDA_BUNDLE, format: OutputFormat.ESM, sourceMap: true },
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
  });
  Validations.of(fn).acknowledge(
    {
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole only allows writing the function’s own logs; it is the AWS-maintained minimum for Lambda.',
    },
    { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.' },
    { id: 'AwsSolutions::AwsSolutions-L1', reason: 'Node.js 22 is the runtime the code is built and tested for; moving to a newer runtime is a deliberate, tested change.' },
  );
  return fn;
}

/** Alarms that notify a topic when a metric reaches a threshold (missing data is healthy). */
export function alarmsTo(scope: Construct, topic: ITopic) {
  return (id: string, metric: IMetric, threshold: number, description: string) =>
    new Alarm(scope, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    }).addAlarmAction(new SnsAction(topic));
}
