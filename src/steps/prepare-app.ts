import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** The app's user, ports and cookie (gatling-root), and the deploy user's directories. */
export const prepareApp: Step<DeployContext> = {
  title: 'Prepare the app on the server',
  commands: (ctx) => [
    cmd(helper(ctx, 'app-init')),
    cmd(and(sh('mkdir', '-p', ctx.paths.build, ctx.paths.state, ctx.paths.tools), sh('chmod', '0755', ctx.paths.root))),
  ],
}
