// A fork in a pipeline: the step before it decides (it writes a name into a file on the server), and
// only the steps of the path with that name run. The paths are tried in order, so an earlier path may
// hand over to a later one by writing that one's name (the hot upgrade falls back to the restart).
// The steps stay plain steps, guarded on the server: both drivers (the task tree and the git hook's
// script) run a branch without knowing about it.
import {and, cmd, sh} from '../remote/shell.js'
import type {Pipeline, Step} from './step.js'

export interface BranchPath<C> {
  /** What the path is, for the skipped steps' reason ("the hot upgrade"). */
  label: string
  /** The decisions that take this path. */
  when: string[]
  steps: Pipeline<C>
}

export function branch<C>(decision: (ctx: C) => string, paths: Array<BranchPath<C>>): Pipeline<C> {
  return paths.flatMap((path) => {
    const others = paths.filter((p) => p !== path).map((p) => p.label).join(' or ')
    return path.steps.map((step): Step<C> => ({
      ...step,
      onlyIf: (ctx) => {
        const guard = sh('grep', '-qx', ...path.when.flatMap((w) => ['-e', w]), decision(ctx))
        return cmd(step.onlyIf ? and(guard, step.onlyIf(ctx).script) : guard)
      },
      onlyIfReason: step.onlyIf ? `this run takes ${others}, or ${step.onlyIfReason ?? 'not needed'}` : `this run takes ${others}`,
    }))
  })
}
