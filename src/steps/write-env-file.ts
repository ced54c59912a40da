import type {DeployContext} from '../context.js'
import type {Step} from '../pipeline/step.js'
import {cmd} from '../remote/shell.js'
import {helper} from './deploy-support.js'

/** The app's environment from the local dotenv file: 0600, readable by the app's user only, never printed. */
export const writeEnvFile: Step<DeployContext> = {
  title: 'Write the environment file',
  cliOnly: true,
  skip: (ctx) => (ctx.envFile === undefined ? 'no local env file (the one on the server is kept)' : false),
  commands: (ctx) => [cmd(helper(ctx, 'env'), {input: ctx.envFile, secretInput: true})],
}
