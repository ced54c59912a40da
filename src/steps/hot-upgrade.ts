import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/**
 * The running node unpacks, checks and installs the new release, then makes it permanent (upgrade.exs
 * through rpc). A refused check leaves the node as it was and falls back to the restart path.
 */
export const hotUpgrade: Step<DeployContext> = {
  title: 'Hot upgrade the running node',
  reportsOutcome: true,
  commands: (ctx) => [deployTool(ctx, 'hot-upgrade')],
}
