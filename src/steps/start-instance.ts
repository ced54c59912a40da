import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, raw, sh} from '../remote/shell.js'
import {fromState, helper, onRestartPath, statePath} from './deploy-support.js'

/**
 * Start the new release on the app's free port, beside the instance that is serving (if any):
 * nginx keeps sending traffic to the old one until the new one is healthy.
 */
export const startInstance: Step<DeployContext> = {
  title: 'Start the new release',
  onlyIf: onRestartPath,
  onlyIfReason: 'the running node changed version in place (hot)',
  commands: (ctx) => [
    cmd(and(
      `set -- $(${helper(ctx, 'ports')})`,
      `serving=$(${helper(ctx, 'serving')} | cut -d' ' -f1)`,
      `if [ "$serving" = "$1" ]; then port=$2; else port=$1; fi`,
      `echo "$port" > ${sh(statePath(ctx, 'port'))}`,
      helper(ctx, 'start', raw('"$port"'), fromState(ctx, 'vsn')),
      `echo "started on port $port"`,
    )),
  ],
}
