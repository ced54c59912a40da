import Lock from './index.js'

export default class LockStatus extends Lock {
  static summary = "Show the app's lock on the server (the same as gatling lock)."
}
