import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '../config';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const JWK = publicKey.export({ format: 'jwk' });
const base = { issuer: 'https://id.example.com/', audience: 'api' };

/** The message loadConfig stops the start with, for AUTH_ISSUERS set to these issuers (or this text). */
function problemWith(issuers: unknown): string {
  try {
    loadConfig({ AUTH_ISSUERS: typeof issuers === 'string' ? issuers : JSON.stringify(issuers) });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('AUTH_ISSUERS', () => {
  it('is empty when unset: no issuer is trusted', () => {
    expect(loadConfig({}).AUTH_ISSUERS).toEqual([]);
    expect(loadConfig({}).AUTH_CLOCK_SKEW_SECONDS).toBe(30);
  });

  it('reads a JWKS issuer, and static keys as PEM or JWK, with the defaults filled in', () => {
    const issuers = loadConfig({
      AUTH_ISSUERS: JSON.stringify([
        { ...base, jwksUrl: 'https://id.example.com/jwks' },
        { ...base, issuer: 'https://pem.example.com', publicKey: PEM, algorithms: ['ES256'] },
        { ...base, issuer: 'https://jwk.example.com', publicKey: JWK, emailClaim: 'mail' },
      ]),
    }).AUTH_ISSUERS;
    expect(issuers[0]).toMatchObject({ algorithms: ['RS256', 'ES256', 'EdDSA'], emailClaim: 'email', nameClaim: 'name', jwksCooldownSeconds: 30 });
    expect(issuers[1]!.publicKey!.asymmetricKeyType).toBe('ec');
    expect(issuers[2]).toMatchObject({ emailClaim: 'mail' });
  });

  it.each<[string, unknown, RegExp]>([
    ['text that is not JSON', '[{', /AUTH_ISSUERS: must be a JSON array/],
    ['an issuer without audience', [{ issuer: base.issuer, jwksUrl: 'https://id.example.com/jwks' }], /AUTH_ISSUERS\.0\.audience/],
    ['neither jwksUrl nor publicKey', [base], /AUTH_ISSUERS\.0: give exactly one of jwksUrl and publicKey/],
    ['both jwksUrl and publicKey', [{ ...base, jwksUrl: 'https://id.example.com/jwks', publicKey: PEM }], /exactly one of jwksUrl and publicKey/],
    [
      'a private key',
      [{ ...base, publicKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() }],
      /AUTH_ISSUERS\.0\.publicKey: must be a public key/,
    ],
    ['text that is no key', [{ ...base, publicKey: 'not a key' }], /AUTH_ISSUERS\.0\.publicKey: must be a public key/],
    ['an HMAC algorithm', [{ ...base, publicKey: PEM, algorithms: ['HS256'] }], /AUTH_ISSUERS\.0\.algorithms\.0/],
    ['alg none', [{ ...base, publicKey: PEM, algorithms: ['none'] }], /AUTH_ISSUERS\.0\.algorithms\.0/],
    ['a JWKS URL that is not http(s)', [{ ...base, jwksUrl: 'file:///etc/keys.json' }], /AUTH_ISSUERS\.0\.jwksUrl: must be an http\(s\) URL/],
    ['an unknown field (a typo)', [{ ...base, publicKey: PEM, audiance: 'x' }], /AUTH_ISSUERS\.0/],
    [
      'one issuer twice',
      [
        { ...base, publicKey: PEM },
        { ...base, publicKey: PEM },
      ],
      /AUTH_ISSUERS: lists an issuer twice/,
    ],
  ])('stops the start with the variable named for %s', (_, issuers, message) => {
    const problem = problemWith(issuers);
    expect(problem).toMatch(message);
    expect(problem).not.toContain('PRIVATE');
  });

  it('refuses a clock skew out of range', () => {
    expect(() => loadConfig({ AUTH_CLOCK_SKEW_SECONDS: '3600' })).toThrow(/AUTH_CLOCK_SKEW_SECONDS/);
  });
});
