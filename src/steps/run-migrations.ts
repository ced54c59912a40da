import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, quote, sh} from '../remote/shell.js'
import {fromState, helper, moduleName} from './deploy-support.js'

const releaseModule = (ctx: DeployContext) => `${moduleName(ctx.app)}.Release`

/** `APP.Release.migrate/0`, as phx.gen.release makes it, runs before the new release starts. */
export const runMigrations: Step<DeployContext> = {
  title: 'Run migrations',
  onlyIf: (ctx) => cmd(`ls ${sh(ctx.paths.releases)}/${quote(fromState(ctx, 'vsn'))}/lib/${ctx.app}-*/ebin/${sh(`Elixir.${releaseModule(ctx)}.beam`)} >/dev/null 2>&1`),
  onlyIfReason: 'the app has no Release.migrate/0',
  commands: (ctx) => [cmd(helper(ctx, 'eval', fromState(ctx, 'vsn'), `${releaseModule(ctx)}.migrate()`))],
}
