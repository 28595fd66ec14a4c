import type { Sequelize } from 'sequelize';
import { AttemptCount } from './attempt-count';
import { Identity } from './identity';
import { Post } from './post';
import { Session } from './session';
import { User } from './user';

export { AttemptCount, Identity, Post, Session, User };

/** Initialises every model, then the associations, with explicit aliases that match both ways. */
export function initModels(sequelize: Sequelize): void {
  User.initModel(sequelize);
  Post.initModel(sequelize);
  Session.initModel(sequelize);
  AttemptCount.initModel(sequelize);
  Identity.initModel(sequelize);
  // The trigram indexes (models/trigram.ts) need pg_trgm; a migration creates it, and sync (which only
  // tests use, to compare the models with the migrations) must too.
  sequelize.addHook('beforeBulkSync', async () => {
    await sequelize.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  });

  const cascade = { onDelete: 'CASCADE', onUpdate: 'CASCADE' } as const;
  User.hasMany(Post, { as: 'posts', foreignKey: { name: 'authorId', allowNull: false }, ...cascade });
  Post.belongsTo(User, { as: 'author', foreignKey: { name: 'authorId', allowNull: false }, ...cascade });
  User.hasMany(Session, { as: 'sessions', foreignKey: { name: 'userId', allowNull: false }, ...cascade });
  Session.belongsTo(User, { as: 'user', foreignKey: { name: 'userId', allowNull: false }, ...cascade });
  User.hasMany(Identity, { as: 'identities', foreignKey: { name: 'userId', allowNull: false }, ...cascade });
  Identity.belongsTo(User, { as: 'user', foreignKey: { name: 'userId', allowNull: false }, ...cascade });
}
