import { ConnectionError, DatabaseError } from 'sequelize';

/**
 * What kind of database fault an error is, if any:
 * - `conflict`: a serialization failure or a deadlock; PostgreSQL rolled the transaction back, and running
 *   it again may succeed (inTransaction does, a few times);
 * - `timeout`: a statement cancelled by statement_timeout (or a lock wait by lock_timeout);
 * - `unavailable`: no connection to be had (pool wait over, server down or restarting, session terminated).
 */
export type Fault = 'conflict' | 'timeout' | 'unavailable';

// SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html
const CONFLICT = new Set(['40001', '40P01']);
const TIMEOUT = new Set(['57014', '55P03']);
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '25P03']);
/** The pg driver's own words (no SQLSTATE) when a connection dies under a query, or is used after it died. */
const CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Client was closed)/;
const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT']);

/** The error as the pg driver reported it: Sequelize keeps it as `parent`. */
function driverError(error: unknown): { code?: unknown; message?: unknown } | undefined {
  if (error instanceof DatabaseError || error instanceof ConnectionError) return error.parent;
  return typeof error === 'object' && error !== null ? error : undefined;
}

export function faultOf(error: unknown): Fault | null {
  // Covers the pool's acquire timeout, refused connections and a server still starting up.
  if (error instanceof ConnectionError) return 'unavailable';
  const driver = driverError(error);
  const code = typeof driver?.code === 'string' ? driver.code : '';
  if (CONFLICT.has(code)) return 'conflict';
  if (TIMEOUT.has(code)) return 'timeout';
  if (UNAVAILABLE.has(code) || code.startsWith('08') || SOCKET_CODES.has(code)) return 'unavailable';
  if (typeof driver?.message === 'string' && CONNECTION_LOST.test(driver.message)) return 'unavailable';
  return null;
}
