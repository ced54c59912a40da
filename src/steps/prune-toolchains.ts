import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** Toolchains no app on the server builds with (and what an interrupted install left) are removed. */
export const pruneToolchains: Step<DeployContext> = {
  title: 'Remove the toolchains no app builds with',
  commands: (ctx) => [cmd(helper(ctx, 'toolchains-prune'))],
}
