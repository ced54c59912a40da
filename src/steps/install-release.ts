import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {fromState, helper} from './deploy-support.js'

/** The built release becomes releases/VSN: root-owned and pristine (each instance runs its own copy of it). */
export const installRelease: Step<DeployContext> = {
  title: 'Install the release',
  commands: (ctx) => [cmd(helper(ctx, 'install-release', fromState(ctx, 'vsn')))],
}
