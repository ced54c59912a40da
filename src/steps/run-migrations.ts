import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {fromState, helper, moduleName} from './deploy-support.js'

/** `APP.Release.migrate/0`, as phx.gen.release makes it, runs before the new release starts (gatling-root skips an app without it). */
export const runMigrations: Step<DeployContext> = {
  title: 'Run migrations',
  reportsOutcome: true,
  commands: (ctx) => [cmd(helper(ctx, 'migrate', fromState(ctx, 'vsn'), `${moduleName(ctx.app)}.Release`))],
}
