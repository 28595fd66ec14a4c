import { loadConfig, corsOrigins } from '../config';
import { defaultOrigins, isAllowedOrigin, isSameHost, parseOrigins } from './origins';

const allows = (list: string, origin: string | undefined) => isAllowedOrigin(origin, parseOrigins(list));

describe('CORS_ORIGINS', () => {
  it('matches an exact origin, and nothing else (scheme, host and port all count)', () => {
    const list = 'https://app.example.com';
    expect(allows(list, 'https://app.example.com')).toBe(true);
    expect(allows(list, 'https://APP.example.com')).toBe(true);
    for (const other of ['http://app.example.com', 'https://app.example.com:8443', 'https://example.com', 'https://app.example.com.evil.net', 'null']) {
      expect({ other, allowed: allows(list, other) }).toEqual({ other, allowed: false });
    }
    expect(allows(list, undefined)).toBe(false);
  });

  it('matches any subdomain, at any depth, with a wildcard first label, but not the domain itself', () => {
    const list = 'https://*.example.com';
    expect(allows(list, 'https://preview-42.example.com')).toBe(true);
    expect(allows(list, 'https://a.b.example.com')).toBe(true);
    expect(allows(list, 'https://example.com')).toBe(false);
    expect(allows(list, 'https://evilexample.com')).toBe(false);
    expect(allows(list, 'https://a.example.com.evil.net')).toBe(false);
    expect(allows(list, 'http://a.example.com')).toBe(false);
  });

  it('matches any port with a wildcard port, and the scheme default port written or not', () => {
    expect(allows('http://localhost:*', 'http://localhost:5173')).toBe(true);
    expect(allows('http://localhost:*', 'http://localhost')).toBe(true);
    expect(allows('http://localhost:*', 'http://localhost.evil.net:5173')).toBe(false);
    expect(allows('https://app.example.com:443', 'https://app.example.com')).toBe(true);
    expect(allows('http://localhost:3000', 'http://localhost:3001')).toBe(false);
  });

  it('takes a list, and * alone for any origin', () => {
    const list = 'https://a.example.com, http://localhost:*';
    expect(allows(list, 'https://a.example.com')).toBe(true);
    expect(allows(list, 'http://localhost:8080')).toBe(true);
    expect(allows(list, 'https://b.example.com')).toBe(false);
    expect(allows('*', 'https://anyone.example.net')).toBe(true);
    expect(allows('*', 'null')).toBe(true);
  });

  it('defaults to pages on this machine in development and test, and to none in production', () => {
    for (const NODE_ENV of ['development', 'test'] as const) {
      const allowed = corsOrigins(loadConfig({ NODE_ENV }));
      expect(['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080'].map((origin) => isAllowedOrigin(origin, allowed))).toEqual([
        true,
        true,
        true,
      ]);
      expect(isAllowedOrigin('https://app.example.com', allowed)).toBe(false);
    }
    const production = corsOrigins(loadConfig({ NODE_ENV: 'production' }));
    expect(isAllowedOrigin('http://localhost:5173', production)).toBe(false);
    expect(production).toEqual(defaultOrigins(true));
    expect(isAllowedOrigin('https://app.example.com', corsOrigins(loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: 'https://app.example.com' })))).toBe(true);
  });

  it.each([
    ['https://app.example.com/', /no path/],
    ['https://app.example.com/api', /no path/],
    ['app.example.com', /not an origin/],
    ['ftp://example.com', /not an origin/],
    ['https://app.*.example.com', /first label only/],
    ['https://*', /first label only/],
    ['https://*.com', /first label only/],
    ['*, https://app.example.com', /alone/],
  ])('refuses %s at start with a message naming the variable and what is wrong', (value, message) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/invalid configuration: CORS_ORIGINS: /);
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(message);
  });

  it('tells the server its own pages by the Host header', () => {
    expect(isSameHost('http://127.0.0.1:4000', '127.0.0.1:4000')).toBe(true);
    expect(isSameHost('https://api.example.com', 'api.example.com')).toBe(true);
    expect(isSameHost('http://127.0.0.1:5173', '127.0.0.1:4000')).toBe(false);
    expect(isSameHost('http://127.0.0.1:4000', undefined)).toBe(false);
  });
});
