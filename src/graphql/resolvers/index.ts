import { DateTimeResolver, EmailAddressResolver, NonEmptyStringResolver } from 'graphql-scalars';
import type { Resolvers } from '../schema';
import { nodeTypeOf } from '../../services/nodes';
import { Mutation } from './mutation';
import { Post } from './post';
import { Query } from './query';
import { Subscription } from './subscription';
import { User } from './user';

export const resolvers: Resolvers = {
  DateTime: DateTimeResolver,
  EmailAddress: EmailAddressResolver,
  NonEmptyString: NonEmptyStringResolver,
  Query,
  Mutation,
  Subscription,
  User,
  Post,
  Node: { __resolveType: nodeTypeOf },
};
