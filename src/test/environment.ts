/** What global setup hands to the test workers (through the environment, which workers inherit). */
export const TEST_ENV = {
  /** A URL to the test server's maintenance database, for CREATE/DROP DATABASE. */
  adminUrl: 'CONTENT_API_TEST_ADMIN_URL',
  /** The migrated database each test file's database is cloned from. */
  template: 'CONTENT_API_TEST_TEMPLATE',
} as const;

export function urlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
