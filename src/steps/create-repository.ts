import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {and, cmd, sh} from '../remote/shell.js'

/** A bare repository to push to; advertising push options lets `gatling push` tell the hook to stand aside. */
export const createRepository: Step<DeployContext> = {
  title: 'Create the git repository',
  check: (ctx) => cmd(sh('test', '-f', `${ctx.paths.repo}/HEAD`)),
  commands: (ctx) => [
    cmd(and(sh('git', 'init', '--quiet', '--bare', ctx.paths.repo), sh('git', '--git-dir', ctx.paths.repo, 'config', 'receive.advertisePushOptions', 'true'))),
  ],
}
