/**
 * CORS_ORIGINS: which web origins (scheme, host and port of a page) may call the API from a browser.
 * Leaf module (config.ts parses the variable with it): it imports nothing of the project.
 */

/** One entry of the list: `*` in `host` stands for one or more subdomain labels, `*` as the port for any port. */
interface OriginPattern {
  scheme: 'http' | 'https';
  /** Lower case; `*.example.com` matches `a.example.com` and `a.b.example.com`, not `example.com`. */
  host: string;
  /** The digits, `*` for any (or none), or '' for the scheme's default port. */
  port: string;
}

/** Any origin at all (`CORS_ORIGINS=*`), or the patterns of the list (an empty list: the server's own origin only). */
export type AllowedOrigins = { any: true } | { any: false; patterns: readonly OriginPattern[] };

/** `scheme://host[:port]`, as browsers send it in the Origin header (an IPv6 host in brackets). */
const ORIGIN = /^(https?):\/\/(\[[0-9a-f:.]+\]|[a-z0-9*.-]+)(?::(\d{1,5}|\*))?$/;

function parsePattern(entry: string): OriginPattern {
  const match = ORIGIN.exec(entry.toLowerCase());
  const hint = 'write origins as scheme://host[:port], e.g. https://app.example.com, https://*.example.com or http://localhost:*';
  if (!match) {
    if (/^https?:\/\/[^/]+\/./.test(entry) || entry.endsWith('/')) throw new Error(`"${entry}": an origin has no path, not even "/" (${hint})`);
    throw new Error(`"${entry}" is not an origin (${hint})`);
  }
  const [, scheme, host, given = ''] = match;
  // Browsers leave the scheme's default port out of the Origin header.
  const port = given === (scheme === 'https' ? '443' : '80') ? '' : given;
  if (host!.includes('*') && !/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host!)) {
    throw new Error(`"${entry}": a wildcard stands for whole subdomains, as the first label only (e.g. https://*.example.com)`);
  }
  return { scheme: scheme as OriginPattern['scheme'], host: host!, port };
}

/** Parses CORS_ORIGINS; throws an Error naming the first bad entry. */
export function parseOrigins(text: string): AllowedOrigins {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.includes('*')) {
    if (entries.length > 1) throw new Error('"*" allows every origin: give it alone, not in a list');
    return { any: true };
  }
  return { any: false, patterns: entries.map(parsePattern) };
}

/** Development and test: pages on this machine, any port (a frontend's dev server). Production: none until set. */
export function defaultOrigins(production: boolean): AllowedOrigins {
  return production ? { any: false, patterns: [] } : parseOrigins('http://localhost:*, http://127.0.0.1:*, http://[::1]:*');
}

function matches(pattern: OriginPattern, origin: { scheme: string; host: string; port: string }): boolean {
  if (pattern.scheme !== origin.scheme) return false;
  if (pattern.port !== '*' && pattern.port !== origin.port) return false;
  return pattern.host.startsWith('*.') ? origin.host.endsWith(pattern.host.slice(1)) : pattern.host === origin.host;
}

/**
 * Whether a browser page of `origin` (an Origin header) may call the API: the same list for CORS and, once
 * live data comes, for WebSocket upgrades (which browsers send cross-origin without asking). A missing or
 * `null` origin matches only `*`.
 */
export function isAllowedOrigin(origin: string | undefined, allowed: AllowedOrigins): boolean {
  if (allowed.any) return true;
  const match = origin === undefined ? null : ORIGIN.exec(origin.toLowerCase());
  if (!match || match[2]!.includes('*') || match[3] === '*') return false;
  const parsed = { scheme: match[1]!, host: match[2]!, port: match[3] ?? '' };
  return allowed.patterns.some((pattern) => matches(pattern, parsed));
}

/**
 * Whether `origin` names the host the request was sent to (the `Host` header): the server's own pages (the
 * explorer), which need no CORS. The scheme is not compared: behind a TLS proxy the server sees http.
 */
export function isSameHost(origin: string, host: string | undefined): boolean {
  return host !== undefined && origin.toLowerCase().replace(/^https?:\/\//, '') === host.toLowerCase();
}
