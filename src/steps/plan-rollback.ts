import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/**
 * Which release to go back to (the one named, else the one with the highest deploy number below
 * current), and how: a hot downgrade when the running node has that version, else a zero-downtime restart.
 */
export const planRollback: Step<DeployContext> = {
  title: 'Plan the rollback',
  reportsOutcome: true,
  commands: (ctx) => [deployTool(ctx, 'plan-rollback', ...(ctx.rollbackTo === undefined ? [] : [ctx.rollbackTo]))],
}
