// The app's dotenv file, read strictly: dotenv's own parse skips a line it cannot read, cuts an
// unquoted value at "#" and keeps a quote it could not match, all silently. This reads the same
// syntax to the same values (test/unit/dotenv.test.ts checks it against dotenv.parse), and stops at
// the first line it would have to guess about, naming the file and the line.
import {GatlingError, shown} from '../errors.js'
import {RULES, isReservedEnv, isValid} from '../server/rules.js'

const QUOTES = `'"\``

export function parseDotenv(text: string, name: string): Array<[string, string]> {
  const fail = (line: number, problem: string): never => {
    throw new GatlingError(`${name} line ${line}: ${problem}`)
  }
  // as dotenv: CRLF and CR end lines, and a byte-order mark is no part of the first key
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n')
  const seen = new Map<string, number>()
  const entries: Array<[string, string]> = []
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1
    const line = lines[i]
    if (line.includes('\0')) fail(n, 'has a NUL byte, which no environment variable can hold.')
    if (/^\s*(#|$)/.test(line)) continue
    const match = /^\s*(?:export\s+)?([^\s=]*)\s*=(.*)$/s.exec(line)
    if (!match) fail(n, 'is neither KEY=value nor a comment.')
    const [, key, afterEquals] = match!
    const rest = afterEquals.trimStart()
    if (!isValid('envKey', key)) fail(n, `${shown(key)} is not ${RULES.envKey.description}.`)
    if (isReservedEnv(key)) fail(n, `${key} is set by gatling itself for every instance of the app (its port, home and Erlang distribution, kept to loopback with the cookie, depend on such variables): remove it.`)
    if (seen.has(key)) fail(n, `${key} is set again (it was set on line ${seen.get(key)}).`)
    seen.set(key, n)

    const quote = rest[0]
    if (quote && QUOTES.includes(quote)) {
      // a quoted value runs to the same quote, maybe lines further down
      let text = rest.slice(1)
      let end = text.indexOf(quote)
      while (end === -1 && i + 1 < lines.length) {
        text += `\n${lines[++i]}`
        if (lines[i].includes('\0')) fail(i + 1, 'has a NUL byte, which no environment variable can hold.')
        end = text.indexOf(quote)
      }
      if (end === -1) fail(n, `the value opened with ${quote} is never closed.`)
      if (text[end - 1] === '\\') fail(n, `the value has \\${quote} in it, which dotenv reads as a backslash and the end of the value: put the value in other quotes.`)
      if (!/^\s*(#.*)?$/s.test(text.slice(end + 1))) fail(i + 1, `there is text after the closing ${quote} of the value of ${key}.`)
      const value = text.slice(0, end)
      entries.push([key, quote === '"' ? value.replaceAll('\\n', '\n').replaceAll('\\r', '\r') : value])
    } else {
      // "#" starts a comment after a space; right after "=" or inside a value, dotenv cuts there all the same
      const hash = afterEquals.indexOf('#')
      if (hash !== -1 && !/\s/.test(afterEquals[hash - 1] ?? '')) fail(n, `the value of ${key} has a # where dotenv would cut it (it reads the rest as a comment): put the value in quotes.`)
      entries.push([key, (hash === -1 ? afterEquals : afterEquals.slice(0, hash)).trim()])
    }
  }
  return entries
}
