import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {fromState, helper} from './deploy-support.js'

/** nginx sends traffic to the new instance; the old one drains, then stops (zero-downtime restart). */
export const switchTraffic: Step<DeployContext> = {
  title: 'Switch traffic to the new release',
  commands: (ctx) => [cmd(helper(ctx, 'switch', fromState(ctx, 'port')))],
}
