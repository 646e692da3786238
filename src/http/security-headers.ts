/**
 * The API's security headers: helmet's, computed once. They depend on nothing in the request, yet
 * @fastify/helmet built a helmet middleware and set each header on the raw response for every request
 * (~8 % of a read's CPU; and a header set on the raw response sends Node's writeHead down its slow path).
 * Fastify's `reply.headers()` with this fixed object costs next to nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** helmet's headers for `options` (lower-case names), read from a stand-in response. */
export function helmetHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  // Without a CSP directive function, helmet reads nothing from the request and calls only these two methods.
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze(headers);
}
