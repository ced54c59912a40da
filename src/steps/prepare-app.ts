import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** The app's user and group, directories, ports and cookie (gatling-root app-init). */
export const prepareApp: Step<DeployContext> = {
  title: 'Prepare the app on the server',
  commands: (ctx) => [cmd(helper(ctx, 'app-init'))],
  // the deploy user joined the app's group: its current login cannot enter the app's directories yet
  after(ctx, [init]) {
    if (/^added .* to group /m.test(init.stdout)) ctx.needsNewLogin = true
  },
}
