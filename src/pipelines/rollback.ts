import type {DeployContext} from '../context.js'
import type {Pipeline} from '../pipeline/step.js'
import {checkHealthThroughNginx} from '../steps/check-health-through-nginx.js'
import {hotDowngrade} from '../steps/hot-downgrade.js'
import {markCurrent} from '../steps/mark-current.js'
import {planRollback} from '../steps/plan-rollback.js'
import {upgradePath} from './deploy.js'

/** Back to an earlier release: hot where the node can, else the same zero-downtime restart as a deploy. */
export const rollbackPipeline: Pipeline<DeployContext> = [
  planRollback,
  ...upgradePath([hotDowngrade]),
  checkHealthThroughNginx,
  markCurrent,
]
