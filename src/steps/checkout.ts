import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {type Arg, and, cmd, quote, sh} from '../remote/shell.js'

/**
 * The build directory becomes exactly the pushed commit, keeping only the caches (_build, deps):
 * a file changed on the server (a dirty mix.lock) can never block a deploy. Files get the time of
 * the checkout (tar -m), not of the commit: mix compares mtimes, and an older commit time could hide a change.
 * Inside pre-receive the new objects are still in quarantine: the hook passes their location on.
 */
export const checkout: Step<DeployContext> = {
  title: 'Check out the pushed commit',
  commands: (ctx) => {
    const git = (...args: Arg[]) =>
      `env \${GATLING_OBJECTS:+"GIT_OBJECT_DIRECTORY=$GATLING_OBJECTS"} \${GATLING_ALTERNATES:+"GIT_ALTERNATE_OBJECT_DIRECTORIES=$GATLING_ALTERNATES"} ${sh('git', '--git-dir', ctx.paths.repo, ...args)}`
    return [
      cmd(and(
        // checked first: in a pipe, a failing git archive would go unnoticed
        `${git('cat-file', '-e')} ${quote(ctx.rev)}'^{commit}'`,
        sh('find', ctx.paths.build, '-mindepth', '1', '-maxdepth', '1', '!', '-name', '_build', '!', '-name', 'deps', '-exec', 'rm', '-rf', '{}', '+'),
        `${git('archive', '--format=tar', ctx.rev)} | ${sh('tar', '-x', '-m', '-C', ctx.paths.build)}`,
        `echo "checked out $(${git('rev-parse', '--short=12', ctx.rev)})"`,
      )),
    ]
  },
}
