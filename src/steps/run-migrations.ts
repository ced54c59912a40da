import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type Arg, cmd, raw, sh} from '../remote/shell.js'
import {fromState, helper, moduleName} from './deploy-support.js'

/**
 * `APP.Release.migrate/0`, as phx.gen.release makes it, from the new release before it takes traffic: before the
 * hot code load and before the switch (gatling-root skips an app without it). A failing migration stops the deploy
 * with its own output, and the old version goes on serving.
 */
export const runMigrations: Step<DeployContext> = {
  title: 'Run migrations',
  reportsOutcome: true,
  commands: (ctx) => [cmd(helper(ctx, 'migrate', fromState(ctx, 'vsn'), `${moduleName(ctx.app)}.Release`))],
}

/** The release marked current (current -> releases/VSN), read on the server. */
const currentVsn = (ctx: DeployContext): Arg => raw(`"$(basename "$(readlink ${sh(ctx.paths.current)})")"`)

/** gatling migrate: the same, from the release marked current (after a migration added by hand, or a restore). */
export const runCurrentMigrations: Step<DeployContext> = {
  title: 'Run migrations of the current release',
  reportsOutcome: true,
  onlyIf: (ctx) => cmd(sh('test', '-L', ctx.paths.current)),
  onlyIfReason: 'no release is current yet: push first',
  commands: (ctx) => [cmd(helper(ctx, 'migrate', currentVsn(ctx), `${moduleName(ctx.app)}.Release`))],
}
