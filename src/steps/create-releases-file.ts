import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {fromState, helper, onRestartPath} from './deploy-support.js'

/** releases/RELEASES before the first boot: without it release_handler can never upgrade or roll back this root. */
export const createReleasesFile: Step<DeployContext> = {
  title: 'Register the release for hot upgrades',
  onlyIf: onRestartPath,
  onlyIfReason: 'the hot upgrade registered it in the running node',
  commands: (ctx) => [cmd(helper(ctx, 'eval', fromState(ctx, 'vsn'), `Code.eval_file("${ctx.paths.tools}/create_releases.exs")`))],
}
