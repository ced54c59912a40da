import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/** current -> releases/VSN (gatling-root, atomically), only once the release serves; the deploy number counts from now. */
export const markCurrent: Step<DeployContext> = {
  title: 'Mark the release current',
  commands: (ctx) => [deployTool(ctx, 'mark-current')],
}
