import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** Keep the newest releases (for rollback); never the current one or one an instance runs. */
export const pruneReleases: Step<DeployContext> = {
  title: 'Prune old releases',
  commands: (ctx) => [cmd(helper(ctx, 'prune', String(ctx.keepReleases)))],
}
