import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, raw, sh} from '../remote/shell.js'
import {statePath} from './deploy-support.js'

/**
 * Every deploy gets a unique, readable release version: mix.exs's version plus the deploy number
 * ("0.1.0+7"), written into the build checkout's mix.exs. Hot upgrades need versions to differ.
 */
export const setReleaseVersion: Step<DeployContext> = {
  title: 'Set the release version',
  commands: (ctx) => {
    const counter = statePath(ctx, 'deploys')
    return [
      cmd(and(
        `n=$(( $(cat ${sh(counter)} 2>/dev/null || echo 0) + 1 ))`,
        `echo "$n" > ${sh(counter)}`,
        `vsn=$(${sh('elixir', `${ctx.paths.tools}/set_version.exs`, `${ctx.paths.build}/mix.exs`)} "$n")`,
        `echo "$vsn" > ${sh(statePath(ctx, 'vsn'))}`,
        sh('echo', raw('"release version $vsn"')),
      )),
    ]
  },
}
