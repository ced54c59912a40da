import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, raw, sh} from '../remote/shell.js'
import {statePath} from './deploy-support.js'

/** current -> releases/VSN, replaced atomically, only once the release serves. */
export const markCurrent: Step<DeployContext> = {
  title: 'Mark the release current',
  commands: (ctx) => [
    cmd(and(
      sh('ln', '-sfn', raw(`"releases/$(cat ${sh(statePath(ctx, 'vsn'))})"`), `${ctx.paths.current}.new`),
      sh('mv', '-T', `${ctx.paths.current}.new`, ctx.paths.current),
      sh('echo', raw(`"current release: $(basename "$(readlink ${sh(ctx.paths.current)})")"`)),
    )),
  ],
}
