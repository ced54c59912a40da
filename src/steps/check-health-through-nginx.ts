import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, raw, sh} from '../remote/shell.js'
import {helper, hostHeader, statePath} from './deploy-support.js'
import {upgradeScript} from './hot-upgrade.js'

/**
 * What a user sees: the health path through nginx, with the app's host name. After a hot upgrade that
 * fails it, the node is downgraded in place to the version it ran before (never left half-upgraded).
 */
export const checkHealthThroughNginx: Step<DeployContext> = {
  title: 'Health check through nginx',
  commands: (ctx) => [
    cmd([
      `code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' -H ${sh(`Host: ${hostHeader(ctx)}`)} ${sh(`http://127.0.0.1${ctx.healthPath}`)})`,
      `if [ "$code" = 200 ]; then echo ${sh(`GET ${ctx.healthPath} through nginx -> 200`)}; exit 0; fi`,
      `echo ${sh(`GET ${ctx.healthPath} through nginx answered:`)} "$code"`,
      `if grep -qx hot ${sh(statePath(ctx, 'path'))} && [ -s ${sh(statePath(ctx, 'previous_vsn'))} ]; then`,
      `  port=$(cat ${sh(statePath(ctx, 'port'))}); previous=$(cat ${sh(statePath(ctx, 'previous_vsn'))})`,
      `  echo "downgrading the node in place to $previous"`,
      `  ${helper(ctx, 'run', raw('"$port"'))} rpc ${upgradeScript(ctx, 'downgrade', '$previous')}`,
      `fi`,
      `exit 1`,
    ].join('\n')),
  ],
}
