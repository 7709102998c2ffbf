import { HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';

/**
 * Apollo's view of one HTTP request, for both the Lambda handler and the local server, so
 * both read bodies alike: a JSON content type is parsed here (a body that does not parse
 * is `undefined`: the caller answers it with a JSON 400, as API Gateway's clients expect a
 * GraphQL-shaped error), anything else is handed to Apollo as text, which refuses it.
 *
 * @example
 * const request = httpGraphQLRequest({ method: 'POST', headers: { 'content-type': 'application/json' }, search: '', body: '{"query":"{ me { role } }"}' });
 */
export function httpGraphQLRequest({ method, headers, search, body }: { method: string; headers: Record<string, string | undefined>; search: string; body: string }): HTTPGraphQLRequest | undefined {
  const map = new HeaderMap();
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) map.set(name, value);
  if (!body || !(map.get('content-type') ?? '').includes('application/json')) return { method, headers: map, search, body };
  try {
    return { method, headers: map, search, body: JSON.parse(body) };
  } catch {
    return undefined;
  }
}
