import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {mix} from './deploy-support.js'

export const mixCompile: Step<DeployContext> = {
  title: 'mix compile',
  commands: (ctx) => [mix(ctx, 'compile')],
}
