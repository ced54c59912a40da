import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {mix} from './deploy-support.js'

export const mixDepsGet: Step<DeployContext> = {
  title: 'mix deps.get',
  commands: (ctx) => [mix(ctx, 'deps.get', '--only', 'prod')],
}
