import type {DeployContext} from '../context.js'
import type {Pipeline} from '../pipeline/step.js'
import {checkHealthThroughNginx} from '../steps/check-health-through-nginx.js'
import {checkInstanceHealth} from '../steps/check-instance-health.js'
import {planRestart} from '../steps/plan-restart.js'
import {startInstance} from '../steps/start-instance.js'
import {stopApp} from '../steps/stop-app.js'
import {switchTraffic} from '../steps/switch-traffic.js'

/**
 * The current release, restarted with no build (gatling restart), or started after gatling stop (gatling start):
 * the zero-downtime restart of a deploy: a fresh instance beside the running one, health-checked, then nginx switches.
 */
export const restartPipeline: Pipeline<DeployContext> = [planRestart, startInstance, checkInstanceHealth, switchTraffic, checkHealthThroughNginx]

/** Maintenance (gatling stop): every instance stops; gatling start brings the current release back. */
export const stopPipeline: Pipeline<DeployContext> = [stopApp]
