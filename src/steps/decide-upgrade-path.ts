import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {deployTool} from './deploy-support.js'

/**
 * Hot upgrade or zero-downtime restart? make_upgrade.exs compares the running release with the new
 * build (ERTS, Elixir, applications, dependencies, vm.args/env.sh, the application's children…),
 * prints its verdict and, when hot, writes the upgrade package (appup, relup with hooks, tarball).
 */
export const decideUpgradePath: Step<DeployContext> = {
  title: 'Decide: hot upgrade or restart',
  reportsOutcome: true,
  commands: (ctx) => [deployTool(ctx, 'decide', ...(ctx.forceRestart ? ['--restart'] : []))],
}
