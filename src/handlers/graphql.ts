import { readConfig } from '../config.js';
import { createGraphqlHandler } from '../graphql/lambda-handler.js';
import { createRuntime } from '../graphql/runtime.js';

// The GraphQL API's Lambda entry point. Configuration is read and validated once per
// cold start; a misconfigured deployment fails here, loudly, not on the first request.
export const handler = createGraphqlHandler(createRuntime(readConfig(process.env)));
