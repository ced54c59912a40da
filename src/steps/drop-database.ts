import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** gatling destroy --database: the app's database and its role go first (gatling-root db-drop); a failure destroys nothing. */
export const dropDatabase: Step<DeployContext> = {
  title: "Drop the app's database",
  commands: (ctx) => [cmd(helper(ctx, 'db-drop'))],
}
