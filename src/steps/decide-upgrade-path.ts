import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'
import {helper, statePath} from './deploy-support.js'

/**
 * Hot upgrade or zero-downtime restart? make_upgrade.exs compares the running release with the new
 * build (ERTS, Elixir, applications, dependencies, vm.args/env.sh, the application's children…),
 * prints its verdict and, when hot, writes the upgrade package (appup, relup with hooks, tarball).
 */
export const decideUpgradePath: Step<DeployContext> = {
  title: 'Decide: hot upgrade or restart',
  reportsOutcome: true,
  commands: (ctx) => {
    const path = sh(statePath(ctx, 'path'))
    const out = statePath(ctx, 'upgrade')
    return [
      cmd([
        `serving=$(${helper(ctx, 'serving')})`,
        `if [ -z "$serving" ]; then echo first > ${path}; echo "first deploy: nothing is serving yet, so the release starts fresh"; exit 0; fi`,
        ctx.forceRestart ? `echo restart > ${path}; echo "restart (zero-downtime): --restart was given"; exit 0` : ':',
        `rm -rf ${sh(out)}`,
        `verdict=$(cd ${sh(ctx.paths.build)} && ${sh('elixir', `${ctx.paths.tools}/make_upgrade.exs`, '--from')} "${ctx.paths.root}/slots/\${serving%% *}" ${sh('--to', `${ctx.paths.build}/_build/prod/rel/${ctx.app}`, '--out', out)} | tee /dev/stderr | tail -n 1) || exit 1`,
        `case $verdict in`,
        `  "GATLING_UPGRADE hot") echo hot > ${path}; echo "hot upgrade: the running node (port \${serving%% *}) will load the new code in place" ;;`,
        `  "GATLING_UPGRADE restart"*) echo restart > ${path}; echo "restart (zero-downtime), not hot: \${verdict#GATLING_UPGRADE restart }" ;;`,
        `  *) echo "make_upgrade gave no verdict"; exit 1 ;;`,
        `esac`,
      ].join('\n')),
    ]
  },
}
