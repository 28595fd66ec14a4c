import { RETRYABLE_CODES, type ErrorCode } from '../errors';
import { HTTP_STATUS, RETRY_AFTER_SECONDS } from './format-error';
import type { RequestHooks } from './request-hooks';

/**
 * An answer carrying a retryable error (the database is down, busy or too slow) is sent as HTTP 503 with
 * Retry-After, not 200: clients, proxies and load balancers then know to back off and try again.
 * Errors thrown while building the context get their status from their `http` extension instead.
 */
export const faultStatusHooks: RequestHooks = {
  willSendResponse({ response }) {
    if (response.body.kind !== 'single') return;
    const codes = (response.body.singleResult.errors ?? []).map((error) => error.extensions?.code as ErrorCode);
    const retryable = codes.find((code) => RETRYABLE_CODES.has(code));
    if (!retryable) return;
    response.http.status = HTTP_STATUS[retryable];
    response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
  },
};
