import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/** Every instance of the app stops and stays stopped at boot (gatling stop): nginx answers 502 until gatling start. */
export const stopApp: Step<DeployContext> = {
  title: 'Stop the app',
  commands: (ctx) => [deployTool(ctx, 'stop')],
}
