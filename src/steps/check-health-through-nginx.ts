import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool, hostHeader} from './deploy-support.js'

/**
 * What a user sees: the health path through nginx, with the app's host name, over HTTPS (the served
 * certificate verified) when the app has TLS. After a hot upgrade that fails it, the node is downgraded
 * in place to the version it ran before (never left half-upgraded).
 */
export const checkHealthThroughNginx: Step<DeployContext> = {
  title: 'Health check through nginx',
  commands: (ctx) => [deployTool(ctx, 'health-nginx', ctx.healthPath, hostHeader(ctx), ...(ctx.tls ? ['https'] : []))],
}
