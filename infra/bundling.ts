/**
 * How every Lambda function is bundled, in one place for the CDK stacks and the benchmark
 * (which measures exactly what is deployed). Plain values: no CDK import here.
 */
export const GRAPHQL_ENTRY = 'src/handlers/graphql.ts';

export const LAMBDA_BUNDLE = {
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK instead of using the runtime's copy: the exact versions we test,
  // tree-shaken, and a faster cold start than loading the full SDK from the runtime.
  externalModules: [] as string[],
  // A dependency's dynamic require() needs a real `require` inside an ESM bundle.
  banner: "import { createRequire as __paddockCreateRequire } from 'module'; const require = __paddockCreateRequire(import.meta.url);",
};
