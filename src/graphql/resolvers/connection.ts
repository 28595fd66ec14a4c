import type { Connection } from '../../lists';
import type { PostConnectionResolvers, UserConnectionResolvers } from '../generated/resolvers';

/** A connection's total is a COUNT statement: started only when a client selects it. */
export const ConnectionResolvers: UserConnectionResolvers & PostConnectionResolvers = {
  totalCount: (connection: Connection<unknown>) => connection.totalCount(),
};
