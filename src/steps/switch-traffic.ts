import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {fromState, helper, hostHeader} from './deploy-support.js'

/**
 * nginx sends traffic to the new instance (the old one stays as backup). Once the health path answers
 * through nginx, the old instance drains and stops; if it does not, traffic goes back to the old one.
 */
export const switchTraffic: Step<DeployContext> = {
  title: 'Switch traffic to the new release',
  reportsOutcome: true,
  commands: (ctx) => [cmd(helper(ctx, 'switch', fromState(ctx, 'port'), ctx.healthPath, hostHeader(ctx)))],
}
