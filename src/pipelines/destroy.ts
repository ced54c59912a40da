import type {DeployContext} from '../context.js'
import type {Pipeline} from '../pipeline/step.js'
import {destroyApp} from '../steps/destroy-app.js'
import {dropDatabase} from '../steps/drop-database.js'

/** gatling destroy: with --database the database first (nothing else goes if that fails), then the app. */
export const destroyPipeline = (options: {database: boolean}): Pipeline<DeployContext> => [...(options.database ? [dropDatabase] : []), destroyApp]
