import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper, siteArgs} from './deploy-support.js'

/**
 * The app's nginx site (proxy to its port, websocket headers): the domains its certificate covers over
 * HTTPS, the others over HTTP; `nginx -t` before any reload, the previous site back if it fails.
 */
export const installNginxSite: Step<DeployContext> = {
  title: 'Install the nginx site',
  commands: (ctx) => [cmd(helper(ctx, 'site', ...siteArgs(ctx)))],
}
