// The hostile-string corpus (test/fixtures/hostile-strings.json) and the ways to write its values in
// a dotenv file, shared by the unit tests and the end-to-end check against real systemd.
import {readFileSync} from 'node:fs'
import {parse} from 'dotenv'

export interface HostileString {
  what: string
  value: string
}

export const hostileStrings = (): HostileString[] => JSON.parse(readFileSync(new URL('../fixtures/hostile-strings.json', import.meta.url), 'utf8'))

/** What a UTF-8 file can hold of a value (a lone surrogate cannot be written). */
export const asFileText = (value: string): string => Buffer.from(value).toString()

/**
 * The ways dotenv can write `value` after "KEY=": bare, in each kind of quote, in double quotes with
 * \n and \r escaped; only those dotenv itself reads back as the value.
 */
export function dotenvSpellings(value: string): string[] {
  const escaped = `"${value.replaceAll('\n', '\\n').replaceAll('\r', '\\r')}"`
  return [value, `'${value}'`, `"${value}"`, `\`${value}\``, escaped].filter((s) => parse(Buffer.from(`V=${s}\n`)).V === asFileText(value))
}
