import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {mix} from './deploy-support.js'

export const mixRelease: Step<DeployContext> = {
  title: 'mix release',
  commands: (ctx) => [mix(ctx, 'release', '--overwrite', '--quiet')],
}
