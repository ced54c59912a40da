import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, raw, sh} from '../remote/shell.js'
import {helper, onHotPath, statePath} from './deploy-support.js'

/**
 * The running node unpacks, checks and installs the new release, then makes it permanent (upgrade.exs
 * through rpc). A refused check leaves the node as it was and falls back to the restart path.
 */
export const upgradeScript = (ctx: DeployContext, ...argv: string[]): string =>
  `"Process.put(:gatling_argv, [${argv.map((a) => `\\"${a}\\"`).join(', ')}]); Code.eval_file(\\"${ctx.paths.tools}/upgrade.exs\\")"`

export const hotUpgrade: Step<DeployContext> = {
  title: 'Hot upgrade the running node',
  reportsOutcome: true,
  onlyIf: onHotPath,
  onlyIfReason: 'this deploy takes the zero-downtime restart',
  commands: (ctx) => {
    const state = (name: string) => sh(statePath(ctx, name))
    const rpc = (expr: string) => `${helper(ctx, 'run', raw('"$port"'))} rpc ${expr}`
    return [
      cmd([
        `port=$(${helper(ctx, 'serving')} | cut -d' ' -f1); vsn=$(cat ${state('vsn')})`,
        // the permanent version of the running root is the one it runs: the version to go back to
        `cut -d' ' -f2 ${sh(`${ctx.paths.root}/slots`)}/"$port"/releases/start_erl.data > ${state('previous_vsn')}`,
        `${helper(ctx, 'stage-upgrade')} "$port" "$vsn"`,
        `if ! ${rpc(upgradeScript(ctx, 'upgrade', '$vsn'))}; then`,
        `  echo restart > ${state('path')}`,
        `  echo "the hot upgrade was refused: falling back to the zero-downtime restart"`,
        `  exit 0`,
        `fi`,
        `running=$(${rpc(`'IO.puts(Application.spec(:${ctx.app}, :vsn))'`)})`,
        `[ "$running" = "$vsn" ] || { echo "after the upgrade the node reports version $running, not $vsn"; exit 1; }`,
        `echo "$port" > ${state('port')}`,
        `echo "the node on port $port now runs $vsn (same OS process)"`,
      ].join('\n')),
    ]
  },
}
