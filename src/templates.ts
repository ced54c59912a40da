// Every file gatling writes on a server is an EJS template under templates/.
import ejs from 'ejs'
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

export const templatesDir = fileURLToPath(new URL('../templates/', import.meta.url))

export function render(name: string, data: Record<string, unknown> = {}): string {
  const file = `${templatesDir}${name}`
  return ejs.render(readFileSync(file, 'utf8'), data, {filename: file, escape: (s: unknown) => String(s)})
}

/** A file shipped as is (scripts that need no values). */
export const readTemplate = (name: string): string => readFileSync(`${templatesDir}${name}`, 'utf8')
