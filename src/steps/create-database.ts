import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/**
 * The app's own PostgreSQL role and database, made on its first deploy with "database" (gatling-root db-create:
 * a random password made on the server, DATABASE_URL and POOL_SIZE in a root-owned file the unit reads; an env
 * file that sets DATABASE_URL itself wins, and then nothing is made). Later deploys find it unchanged.
 */
export const createDatabase: Step<DeployContext> = {
  title: 'Create the database',
  reportsOutcome: true,
  skip: (ctx) => (ctx.database ? false : 'no "database" in gatling.json'),
  commands: (ctx) => [cmd(helper(ctx, 'db-create'))],
}
