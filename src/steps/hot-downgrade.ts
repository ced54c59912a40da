import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, raw, sh} from '../remote/shell.js'
import {helper, onHotPath, statePath} from './deploy-support.js'
import {upgradeScript} from './hot-upgrade.js'

/** The running node goes back in place (the down script of its relup), keeping its OS process. */
export const hotDowngrade: Step<DeployContext> = {
  title: 'Hot downgrade the running node',
  reportsOutcome: true,
  onlyIf: onHotPath,
  onlyIfReason: 'the rollback takes the zero-downtime restart',
  commands: (ctx) => [
    cmd([
      `port=$(cat ${sh(statePath(ctx, 'port'))}); vsn=$(cat ${sh(statePath(ctx, 'vsn'))})`,
      `if ${helper(ctx, 'run', raw('"$port"'))} rpc ${upgradeScript(ctx, 'downgrade', '$vsn')}; then`,
      `  echo "the node on port $port now runs $vsn (same OS process)"`,
      `else`,
      `  echo restart > ${sh(statePath(ctx, 'path'))}; echo "the hot downgrade was refused: falling back to the zero-downtime restart"`,
      `fi`,
    ].join('\n')),
  ],
}
