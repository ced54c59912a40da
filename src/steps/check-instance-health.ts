import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool, hostHeader} from './deploy-support.js'

/** Seconds the new instance has to answer 200 on its own port (rendered into the deploy tool). */
export const HEALTH_TIMEOUT_S = 30

/**
 * The new instance must answer 200 on its own port before it gets traffic. If it crashes or never
 * answers, it is stopped, its log is shown, and the old release keeps serving.
 */
export const checkInstanceHealth: Step<DeployContext> = {
  title: 'Health check of the new release',
  commands: (ctx) => [deployTool(ctx, 'health-instance', ctx.healthPath, hostHeader(ctx))],
}
