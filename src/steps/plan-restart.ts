import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/** The release that serves, started again on the app's other port: the zero-downtime restart, with no build. */
export const planRestart: Step<DeployContext> = {
  title: 'Plan the restart',
  reportsOutcome: true,
  commands: (ctx) => [deployTool(ctx, 'plan-restart')],
}
