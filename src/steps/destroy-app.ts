import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** Everything gatling made for the app, gone (gatling-root destroy): instances, unit, site, certificate, directories, user. */
export const destroyApp: Step<DeployContext> = {
  title: 'Remove the app from the server',
  reportsOutcome: true,
  commands: (ctx) => [cmd(helper(ctx, 'destroy'))],
}
