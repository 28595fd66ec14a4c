import pg from 'pg';

/**
 * A pg.Client that is never without an 'error' listener. PostgreSQL can end a session the moment it opens
 * (pg_terminate_backend, a restart, a pooler): its FATAL may then come in the same read as the session's
 * ReadyForQuery, and pg emits it before whoever opened the connection has had a turn to listen (Sequelize
 * attaches its listener only once connect() has resolved). An 'error' event with no listener ends the
 * process. This listener marks the connection invalid, which Sequelize's pool checks before lending it;
 * whoever is using it learns of the loss from the query that fails.
 */
export class Client extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', () => {
      (this as { _invalid?: boolean })._invalid = true;
    });
  }
}

/** pg with that Client: what Sequelize connects through (its `dialectModule`). */
export const pgModule = Object.create(pg, { Client: { value: Client } }) as typeof pg;
