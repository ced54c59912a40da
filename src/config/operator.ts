// Who runs a deploy, as the release's record keeps it (gatling releases): git's user.name <user.email>
// in the project, else $USER@host. Reduced to the operator rule (src/server/rules.ts), one line.
import {execFileSync} from 'node:child_process'
import {hostname, userInfo} from 'node:os'

import {isValid} from '../server/rules.js'

/** The name the hook's deploys record: a plain `git push` carries no operator. */
export const GIT_PUSH_OPERATOR = 'git push'

function gitIdent(dir: string): string {
  try {
    return execFileSync('git', ['var', 'GIT_AUTHOR_IDENT'], {cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000}).trim()
  } catch {
    return ''
  }
}

/** Characters outside the rule become "_"; the result is cut to its length. */
export function operatorRecord(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._@+<>() -]/g, '_').replace(/^[^A-Za-z0-9_<]+/, '').slice(0, 120).trim()
  return isValid('operator', cleaned) ? cleaned : 'unknown'
}

export function operatorName(dir: string): string {
  // git's author identity: user.name and user.email, or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL ("Name <email> time zone")
  const ident = gitIdent(dir).replace(/ [0-9]+ [+-][0-9]{4}$/, '')
  if (ident) return operatorRecord(ident)
  let user = process.env.USER ?? ''
  try {
    user ||= userInfo().username
  } catch {}
  return operatorRecord(`${user || 'unknown'}@${hostname()}`)
}
