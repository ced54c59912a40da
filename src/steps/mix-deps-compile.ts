import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {mix} from './deploy-support.js'

/** Dependencies compile on their own, before the app (the order of `mix phx.gen.release --docker`). */
export const mixDepsCompile: Step<DeployContext> = {
  title: 'mix deps.compile',
  commands: (ctx) => [mix(ctx, 'deps.compile')],
}
