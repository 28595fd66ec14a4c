import { aPublishedPost, aUser } from '../test/factories';
import { useServer, type TestClient } from '../test/server';
import { clientKey } from './client';

describe('clientKey: who a client is, for every per-client limit', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(clientKey('203.0.113.7', 64)).toBe('203.0.113.7');
  });

  it('unmaps an IPv4-mapped IPv6 address (a dual-stack server sees IPv4 clients so) before anything else', () => {
    expect(clientKey('::ffff:203.0.113.7', 64)).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7', 64)).not.toBe(clientKey('::ffff:198.51.100.1', 64));
  });

  it('counts two addresses of one /64 as one client', () => {
    expect(clientKey('2001:db8:1:2::1', 64)).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:eeee:dddd:cccc', 64)).toBe('2001:db8:1:2::/64');
  });

  it('counts addresses of different /64s as different clients', () => {
    expect(clientKey('2001:db8:1:2::1', 64)).not.toBe(clientKey('2001:db8:1:3::1', 64));
  });

  it('groups by another prefix when told to', () => {
    expect(clientKey('2001:db8:1:2::1', 48)).toBe('2001:db8:1::/48');
    expect(clientKey('2001:db8:1:3::1', 48)).toBe('2001:db8:1::/48');
    expect(clientKey('2001:db8:1:2::1', 128)).toBe('2001:db8:1:2::1/128');
    expect(clientKey('2001:db8:1:2::1', 128)).not.toBe(clientKey('2001:db8:1:2::2', 128));
    expect(clientKey('2001:db8:1:2:8000::1', 65)).not.toBe(clientKey('2001:db8:1:2::1', 65));
    expect(clientKey('2001:db8:ff00::1', 36)).toBe('2001:db8:f000::/36');
  });

  it('gives an address seen before the same key again, under each prefix its own', () => {
    const address = '2001:db8:1:2::1';
    expect(clientKey(address, 64)).toBe('2001:db8:1:2::/64');
    expect(clientKey(address, 48)).toBe('2001:db8:1::/48');
    expect(clientKey(address, 64)).toBe('2001:db8:1:2::/64');
    expect(clientKey(address, 48)).toBe('2001:db8:1::/48');
  });

  it('puts an address it cannot read under one key', () => {
    expect(clientKey(undefined, 64)).toBe('unknown');
    expect(clientKey('not an address', 64)).toBe('unknown');
  });
});

describe('over HTTP: the sign-in limit per client counts by that key', () => {
  const behindProxy = useServer({
    limits: { loginFailuresPerEmail: 100, loginFailuresPerEmailAndClient: 100, loginFailuresPerClient: 2 },
    trustProxy: 'loopback',
  });
  const LOG_IN = `mutation ($email: EmailAddress!) { logIn(input: { email: $email, password: "wrong password" }) { token } }`;
  const attempt = async (client: TestClient, forwardedFor: string, email = 'ada@example.com') =>
    (await client.gql(LOG_IN, { email }, { headers: { 'x-forwarded-for': forwardedFor } })).errors?.[0]?.extensions.code;

  beforeEach(async () => {
    await aPublishedPost(await aUser({ email: 'ada@example.com' }));
  });

  it('shares one quota between the addresses of one /64, not with the next /64', async () => {
    expect([await attempt(behindProxy, '2001:db8:1:2::1'), await attempt(behindProxy, '2001:db8:1:2::2')]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(await attempt(behindProxy, '2001:db8:1:2:abcd::9')).toBe('TOO_MANY_REQUESTS');
    expect(await attempt(behindProxy, '2001:db8:1:3::1')).toBe('UNAUTHENTICATED');
  });

  it('counts an IPv4 client and its IPv4-mapped form as one, apart from other IPv4 clients', async () => {
    expect([await attempt(behindProxy, '198.51.100.7'), await attempt(behindProxy, '::ffff:198.51.100.7')]).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(await attempt(behindProxy, '198.51.100.7')).toBe('TOO_MANY_REQUESTS');
    expect(await attempt(behindProxy, '198.51.100.8')).toBe('UNAUTHENTICATED');
  });
});
