import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** APP@PORT.service: runs as the app's user, restarts on failure, starts at boot. */
export const installSystemdUnit: Step<DeployContext> = {
  title: 'Install the systemd unit',
  commands: (ctx) => [cmd(helper(ctx, 'unit'))],
}
