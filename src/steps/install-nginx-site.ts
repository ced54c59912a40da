import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** The app's nginx site (proxy to its port, websocket headers); `nginx -t` before any reload. */
export const installNginxSite: Step<DeployContext> = {
  title: 'Install the nginx site',
  commands: (ctx) => [cmd(helper(ctx, 'site', ...ctx.domains))],
}
