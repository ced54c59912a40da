import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** database.backups: a daily dump of the app's database on the server, kept that many days (off without it). */
export const scheduleBackups: Step<DeployContext> = {
  title: 'Schedule database backups',
  reportsOutcome: true,
  skip: (ctx) => (ctx.database ? false : 'no "database" in gatling.json'),
  commands: (ctx) => [cmd(helper(ctx, 'db-schedule', ctx.database?.backups === undefined ? 'off' : String(ctx.database.backups)))],
}
