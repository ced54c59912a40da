import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd, sh} from '../remote/shell.js'
import {helper, statePath} from './deploy-support.js'

/**
 * Which release to go back to (the one named, else the newest one older than current), and how:
 * a hot downgrade when the running node has that version installed, else a zero-downtime restart.
 */
export const planRollback: Step<DeployContext> = {
  title: 'Plan the rollback',
  reportsOutcome: true,
  commands: (ctx) => {
    const state = (name: string) => sh(statePath(ctx, name))
    return [
      cmd([
        `current=$(basename "$(readlink ${sh(ctx.paths.current)})")`,
        `[ -n "$current" ] || { echo "nothing is deployed yet"; exit 1; }`,
        // releases are numbered by deploy (VSN+N): sort on N
        ctx.rollbackTo === undefined
          ? `target=$(ls -1 ${sh(ctx.paths.releases)} | grep -v '\\.tmp$' | awk -F+ -v cur="$current" '{split(cur, c, "+"); if ($2 + 0 < c[2] + 0) print $2 "\\t" $0}' | sort -n | tail -n 1 | cut -f2)`
          : `target=${sh(ctx.rollbackTo)}`,
        `[ -n "$target" ] || { echo "there is no release older than $current to roll back to"; exit 1; }`,
        `[ -d ${sh(ctx.paths.releases)}/"$target" ] || { echo "release $target is not on the server (kept: $(ls ${sh(ctx.paths.releases)} | tr '\\n' ' '))"; exit 1; }`,
        `[ "$target" != "$current" ] || { echo "$target is already the current release"; exit 1; }`,
        `echo "$target" > ${state('vsn')}; rm -f ${state('previous_vsn')}`,
        `serving=$(${helper(ctx, 'serving')}); port=\${serving%% *}`,
        `if [ -n "$serving" ] && [ -d ${sh(`${ctx.paths.root}/slots`)}/"$port"/releases/"$target" ]; then`,
        `  echo hot > ${state('path')}; echo "$port" > ${state('port')}; echo "rolling back $current -> $target: trying a hot downgrade of the node on port $port"`,
        `else`,
        `  echo restart > ${state('path')}; echo "rolling back $current -> $target: zero-downtime restart (the running node never had $target)"`,
        `fi`,
      ].join('\n')),
    ]
  },
}
