import type { Response } from 'express';

/**
 * A refusal made before GraphQL runs, in the shape of a GraphQL response (`errors` with a code), so a
 * client reads it as it reads every other error: never an HTML page.
 */
export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  extra: { headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
): void {
  res
    .status(status)
    .set({ 'cache-control': 'no-store', ...extra.headers })
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message, extensions: { code, ...extra.extensions } }] }));
}
