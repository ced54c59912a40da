/** An expected failure: printed as one paragraph, without a stack trace unless --verbose. */
export class GatlingError extends Error {
  constructor(message: string, readonly details: {step?: string; host?: string; command?: string; output?: string[]; exitCode?: number} = {}) {
    super(message)
    this.name = 'GatlingError'
  }
}

/**
 * A value the user gave, as a message shows it: in double quotes, with control and invisible
 * characters escaped (a newline or a right-to-left mark in it cannot garble or reorder the
 * message) and cut after `max` characters.
 */
export function shown(value: string, max = 60): string {
  const escape = (text: string) => JSON.stringify(text).replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`)
  return value.length > max ? `${escape(value.slice(0, max))}… (${value.length} characters)` : escape(value)
}

/** A file name as a message shows it: bare when it is plain, else as shown() quotes it. */
export const shownName = (name: string): string => (/^[\w./~+@:,=-]{1,200}$/.test(name) ? name : shown(name))
