import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** The signature algorithms a token may use: asymmetric only, so no `none` and no HMAC keyed with a public key. */
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** A public key given inline (PEM text or a JWK), read once at start; a private key is refused. */
const publicKey = z.union([z.string(), z.record(z.string(), z.unknown())]).transform((value, ctx): KeyObject => {
  try {
    if (typeof value === 'string' ? /PRIVATE KEY/.test(value) : 'd' in value) throw new Error('private');
    return createPublicKey(typeof value === 'string' ? value : { key: value as never, format: 'jwk' });
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a public key: PEM text (BEGIN PUBLIC KEY) or a public JWK' });
    return z.NEVER;
  }
});

/** One trusted issuer, as AUTH_ISSUERS lists it (README "Signing in with your identity provider"). */
const issuer = z
  .object({
    /** Exactly the token's `iss`, e.g. https://tenant.eu.auth0.com/ (trailing slash included when the issuer writes one). */
    issuer: z.string().url().max(255),
    /** What the token's `aud` must contain: this API's identifier at the issuer. */
    audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    /** Where the issuer publishes its keys (fetched, cached by kid). */
    jwksUrl: z
      .string()
      .url()
      .refine((url) => /^https?:/.test(url), 'must be an http(s) URL')
      .optional(),
    /** Or its key itself, for setups without a JWKS endpoint. */
    publicKey: publicKey.optional(),
    algorithms: z
      .array(z.enum(ALGORITHMS))
      .min(1)
      .default([...ALGORITHMS]),
    /** The claims a new user's email and name are read from. */
    emailClaim: z.string().min(1).default('email'),
    nameClaim: z.string().min(1).default('name'),
    /** Seconds between two fetches of the JWKS for a kid it does not know (a token signed with a new key). */
    jwksCooldownSeconds: z.number().min(0).default(30),
    /** Seconds the fetched JWKS is used before it is fetched again (kept, if that fails, until it succeeds). */
    jwksMaxAgeSeconds: z.number().min(0).default(600),
  })
  .strict()
  .refine((entry) => (entry.jwksUrl === undefined) !== (entry.publicKey === undefined), {
    message: 'give exactly one of jwksUrl and publicKey',
  });

export type IssuerConfig = z.infer<typeof issuer>;

/** AUTH_ISSUERS: a JSON array of issuers; unset or empty, no token but the built-in sessions is accepted. */
export const issuersVariable = z
  .string()
  .default('[]')
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text || '[]');
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of issuers ({ "issuer", "audience", "jwksUrl" | "publicKey" })' });
      return z.NEVER;
    }
  })
  .pipe(z.array(issuer).refine((list) => new Set(list.map((entry) => entry.issuer)).size === list.length, { message: 'lists an issuer twice' }));
