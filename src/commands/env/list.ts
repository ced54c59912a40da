import Env from './index.js'

export default class EnvList extends Env {
  static summary = "List the app's environment on the server (the same as gatling env)."
}
