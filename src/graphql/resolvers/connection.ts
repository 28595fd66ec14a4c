import type { Connection } from '../../lists';

/** A connection's total is a COUNT statement: started only when a client selects it. */
export const ConnectionResolvers = {
  totalCount: (connection: Connection<unknown>) => connection.totalCount(),
};
