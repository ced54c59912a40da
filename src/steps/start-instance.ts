import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/**
 * Start the new release on the app's free port, beside the instance that is serving (if any):
 * nginx keeps sending traffic to the old one until the new one is healthy.
 */
export const startInstance: Step<DeployContext> = {
  title: 'Start the new release',
  commands: (ctx) => [deployTool(ctx, 'start')],
}
