import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/** The current release again, on the app's free port beside the running instance (gatling restart, gatling start): no build. */
export const planRestart: Step<DeployContext> = {
  title: 'Plan the restart of the current release',
  reportsOutcome: true,
  commands: (ctx) => [deployTool(ctx, 'plan-restart')],
}
