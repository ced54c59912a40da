import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/**
 * Every deploy gets a unique, readable release version: mix.exs's version plus the deploy number
 * ("0.1.0+7"), written into the build checkout's mix.exs. Hot upgrades need versions to differ.
 * The number counts deploys that served: a failed one uses up none.
 */
export const setReleaseVersion: Step<DeployContext> = {
  title: 'Set the release version',
  commands: (ctx) => [deployTool(ctx, 'version')],
}
