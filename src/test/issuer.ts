import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload, type KeyLike } from 'jose';
import type { Algorithm } from '../identity/issuers';

export interface SigningKey {
  kid: string;
  alg: Algorithm;
  privateKey: KeyLike;
  publicKey: KeyLike;
  /** The public key as a JWK (with kid and alg), as a JWKS lists it. */
  jwk: JWK;
  /** The public key as PEM text (SPKI). */
  pem: string;
}

let keys = 0;

/** A fresh key pair of the algorithm, named by a new kid. */
export async function aSigningKey(alg: Algorithm = 'RS256'): Promise<SigningKey> {
  keys += 1;
  const kid = `key-${keys}`;
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg }, pem: await exportSPKI(publicKey) };
}

/** A token signed with `key` (header alg and kid from it), valid for an hour unless the claims say otherwise. */
export function aToken(key: SigningKey, claims: JWTPayload & { iss: string }, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ exp: now + 3600, iat: now, ...claims }).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

/** A JWKS endpoint on a loopback port: the keys it lists can change, and it can go down (connections reset). */
export interface JwksServer {
  url: string;
  keys: SigningKey[];
  down: boolean;
  /** How many times the JWKS was asked for. */
  fetches: number;
  stop(): Promise<void>;
}

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const server = http.createServer((request, response) => {
    jwks.fetches += 1;
    if (jwks.down) return void request.socket.destroy();
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ keys: jwks.keys.map((key) => key.jwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwks: JwksServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    keys,
    down: false,
    fetches: 0,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return jwks;
}
