import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/**
 * current -> releases/VSN (gatling-root, atomically), only once the release serves; the deploy number counts
 * from now, and the release's record (state.ts: commit, time, who, how) is written.
 */
export const markCurrent: Step<DeployContext> = {
  title: 'Mark the release current',
  commands: (ctx) => [deployTool(ctx, 'mark-current', ctx.operator ?? 'unknown', ctx.rollback ? 'rollback' : 'deploy')],
}
