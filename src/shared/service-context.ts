import type { GraphQLContext } from '../graphql/context.js';

/** What a domain service needs from a request: the caller, authorised reads, stores and time. */
export type ServiceContext = Pick<GraphQLContext, 'principal' | 'access' | 'loaders' | 'repos' | 'clock' | 'logger'>;
