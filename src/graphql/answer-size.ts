import type { ErrorCode } from '../errors';
import type { RequestHooks } from './request-hooks';

const TOO_LARGE: ErrorCode = 'RESPONSE_TOO_LARGE';

/**
 * An answer refused for its size (src/services/answer-size.ts) goes out as that refusal alone: data null
 * and one error, HTTP 400 like the cost limit's, instead of the part of it that was built and an error
 * for every field that was refused on the way.
 */
export const answerSizeHooks: RequestHooks = {
  willSendResponse({ response }) {
    if (response.body.kind !== 'single') return;
    const refusal = response.body.singleResult.errors?.find((error) => error.extensions?.code === TOO_LARGE);
    if (!refusal) return;
    response.body.singleResult = { data: null, errors: [refusal] };
    response.http.status = 400;
  },
};
