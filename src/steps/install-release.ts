import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {fromState, helper} from './deploy-support.js'

/** Copy the built release into releases/VSN, owned by the app's user (a hot upgrade writes there). */
export const installRelease: Step<DeployContext> = {
  title: 'Install the release',
  commands: (ctx) => [cmd(helper(ctx, 'install-release', fromState(ctx, 'vsn')))],
}
