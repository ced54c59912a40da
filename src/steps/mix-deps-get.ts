import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {buildTool} from './deploy-support.js'

/**
 * mix deps.get --only prod, with Hex installed first (mix local.hex) when the project has Hex
 * dependencies: gatling-deploy deps-get, which ends in one paragraph when Hex is out of reach.
 */
export const mixDepsGet: Step<DeployContext> = {
  title: 'mix deps.get',
  commands: (ctx) => [buildTool(ctx, 'deps-get')],
}
