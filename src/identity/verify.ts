import { decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { AppError } from '../errors';
import { logger } from '../logger';
import type { IssuerConfig } from './issuers';
import { keySource, KeysUnavailable } from './keys';

/** Why a token was refused, as `extensions.reason` tells the client. */
export type RefusalReason =
  | 'MALFORMED'
  | 'UNKNOWN_ISSUER'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'WRONG_AUDIENCE'
  | 'ALGORITHM_NOT_ALLOWED'
  | 'UNKNOWN_KEY'
  | 'BAD_SIGNATURE'
  | 'KEYS_UNAVAILABLE';

/** A token whose signature and claims hold, and the issuer that vouches for it. */
export interface VerifiedToken {
  issuer: IssuerConfig;
  subject: string;
  claims: JWTPayload;
}

const MAX_SUBJECT_LENGTH = 255;

/** The refusal a client sees: what is wrong with the token, never which key or why in crypto terms. */
function refusal(reason: RefusalReason, message: string): AppError {
  if (reason === 'KEYS_UNAVAILABLE') return new AppError('SERVICE_UNAVAILABLE', message, undefined, { reason });
  return new AppError('UNAUTHENTICATED', message, undefined, { reason });
}

/** jose's verdict on a token, as a refusal. */
function refusalFor(error: unknown): AppError {
  if (error instanceof KeysUnavailable) return refusal('KEYS_UNAVAILABLE', "the identity provider's keys cannot be fetched right now; try again shortly");
  if (error instanceof errors.JWTExpired) return refusal('TOKEN_EXPIRED', 'the token has expired; get a new one from the identity provider');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return refusal('TOKEN_NOT_YET_VALID', 'the token is not valid yet (nbf)');
    if (error.claim === 'aud') return refusal('WRONG_AUDIENCE', 'the token was issued for another audience');
    if (error.claim === 'iss') return refusal('UNKNOWN_ISSUER', 'the token comes from an issuer this API does not trust');
    return refusal('MALFORMED', `the token's ${error.claim} claim is missing or invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return refusal('ALGORITHM_NOT_ALLOWED', 'the token is signed with an algorithm this API does not accept');
  if (error instanceof errors.JWKSNoMatchingKey) return refusal('UNKNOWN_KEY', 'the token is signed with a key its issuer does not publish');
  if (error instanceof errors.JWSSignatureVerificationFailed) return refusal('BAD_SIGNATURE', 'the token signature does not verify');
  if (!(error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSEError)) {
    // e.g. a key of one type named by a token of another algorithm: still the token's fault, but worth a look.
    logger.warn({ err: error }, 'a token was refused for an unexpected reason');
  }
  return refusal('MALFORMED', 'the token is not a well-formed, verifiable JWT');
}

/** Verifies tokens of the configured issuers: signature, iss, aud, exp and nbf (with the clock skew), sub. */
export class TokenVerifier {
  private readonly issuers: Map<string, { config: IssuerConfig; key: ReturnType<typeof keySource> }>;

  constructor(
    issuers: IssuerConfig[],
    private readonly clockSkewSeconds: number,
  ) {
    this.issuers = new Map(issuers.map((config) => [config.issuer, { config, key: keySource(config) }]));
  }

  /** The verified token, or an AppError with its reason. */
  async verify(token: string): Promise<VerifiedToken> {
    const issuer = this.issuers.get(unverifiedIssuer(token));
    if (!issuer) throw refusal('UNKNOWN_ISSUER', 'the token comes from an issuer this API does not trust');
    const { config, key } = issuer;
    let claims: JWTPayload;
    try {
      const options = {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: this.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
      };
      // Two calls for jose's two overloads (a key, or a function choosing one by kid).
      ({ payload: claims } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
    } catch (error) {
      throw refusalFor(error);
    }
    // jose checks that sub is there, not what it is; it is stored as text (no NUL in PostgreSQL).
    const subject: unknown = claims.sub;
    if (typeof subject !== 'string' || !subject || subject.length > MAX_SUBJECT_LENGTH || subject.includes('\0')) {
      throw refusal('MALFORMED', `the token's sub claim must be text of 1 to ${MAX_SUBJECT_LENGTH} characters`);
    }
    return { issuer: config, subject, claims };
  }
}

/** The `iss` the token claims, read before anything is verified, only to choose the issuer that must verify it. */
function unverifiedIssuer(token: string): string {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw refusal('MALFORMED', 'the token is not a well-formed JWT');
  }
  if (typeof iss !== 'string') throw refusal('MALFORMED', 'the token has no iss claim');
  return iss;
}
