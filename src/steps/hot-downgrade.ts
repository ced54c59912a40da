import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/** The running node goes back in place (the down script of its relup), keeping its OS process. */
export const hotDowngrade: Step<DeployContext> = {
  title: 'Hot downgrade the running node',
  reportsOutcome: true,
  commands: (ctx) => [deployTool(ctx, 'hot-downgrade')],
}
