// Every validation rule for a value that reaches a server, defined once. Each rule is a POSIX
// extended regular expression (no lookarounds, no \d): TypeScript checks input with it before
// anything runs, and gatling-root checks its arguments with the very same text (grep -Ex).

export interface Rule {
  /** What a valid value looks like, for error messages. */
  description: string
  /** ERE matching a whole value. */
  pattern: string
}

export const RULES = {
  app: {description: 'lower-case letters, digits and _ (at most 31), starting with a letter', pattern: '[a-z][a-z0-9_]{0,30}'},
  // first character alphanumeric: never "." or "..", never an option
  version: {description: 'a release version like 0.1.0+7 (letters, digits, . + _ -, at most 64)', pattern: '[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}'},
  port: {description: 'a TCP port of 4 or 5 digits', pattern: '[1-9][0-9]{3,4}'},
  domain: {description: 'a host name like example.com or *.example.com (letters, digits, - and dots)', pattern: '(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*'},
  /** A name nginx and curl get as the Host header (a domain without the wildcard). */
  hostName: {description: 'a host name (letters, digits, - and dots)', pattern: '[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*'},
  healthPath: {description: 'a plain path like /health (letters, digits, / _ . ~ -)', pattern: '/[A-Za-z0-9/_.~-]{0,200}'},
  keepReleases: {description: 'a whole number from 1 to 100', pattern: '[1-9][0-9]?|100'},
  logLines: {description: 'a whole number from 1 to 100000', pattern: '[1-9][0-9]{0,4}|100000'},
  // first character never "-": never an option of certbot
  email: {description: 'an e-mail address like ops@example.com', pattern: '[A-Za-z0-9_][A-Za-z0-9._+-]{0,63}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+'},
  acmeUrl: {description: 'an ACME directory URL like https://acme-v02.api.letsencrypt.org/directory', pattern: 'https://[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]+)*/?'},
  // first character a digit: never an option, never "." or ".."
  otpVersion: {description: 'an Erlang/OTP version like 27.3.4', pattern: '[1-9][0-9](\\.[0-9]{1,3}){0,4}'},
  elixirVersion: {description: 'an Elixir version like 1.18.3', pattern: '1\\.[0-9]{1,2}\\.[0-9]{1,3}(-rc\\.[0-9]{1,2})?'},
  /** Where toolchains are downloaded from (toolchains.mirror): http only for a mirror on a network you trust */
  mirrorUrl: {description: 'a mirror URL like https://builds.hex.pm (https://, or http:// for a local mirror; no query, no trailing slash)', pattern: 'https?://[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]+)*'},
  envKey: {description: 'an environment variable name (letters, digits and _, not starting with a digit)', pattern: '[A-Za-z_][A-Za-z0-9_]{0,127}'},
} as const satisfies Record<string, Rule>

export type RuleName = keyof typeof RULES

const compiled = new Map<RuleName, RegExp>()

/** The rule as a JavaScript RegExp matching the whole string (ERE is a subset of JS syntax here). */
export function ruleRegExp(name: RuleName): RegExp {
  let re = compiled.get(name)
  if (!re) compiled.set(name, (re = new RegExp(`^(?:${RULES[name].pattern})$`)))
  return re
}

/** One line, no NUL, matching the rule. */
export const isValid = (name: RuleName, value: string): boolean => !/[\n\r\0]/.test(value) && ruleRegExp(name).test(value)

export const domainLength = 253

/**
 * Environment variables gatling sets for the node itself: an env file may not set them, since each
 * could undo loopback-only distribution, the cookie file or the instance's port.
 */
export const RESERVED_ENV = {
  exact: ['PORT', 'HOME', 'LANG', 'ELIXIR_ERL_OPTIONS', 'ERL_AFLAGS', 'ERL_FLAGS', 'ERL_ZFLAGS', 'ERL_LIBS', 'ERL_CRASH_DUMP', 'ERL_EPMD_ADDRESS', 'ERL_EPMD_PORT', 'ERL_INETRC', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'PATH', 'BINDIR', 'ROOTDIR', 'EMU', 'PROGNAME'],
  prefixes: ['RELEASE_'],
} as const

export const isReservedEnv = (key: string): boolean => (RESERVED_ENV.exact as readonly string[]).includes(key) || RESERVED_ENV.prefixes.some((p) => key.startsWith(p))

/** The build's own variables (src/steps/deploy-support.ts sets them for every mix command): build.env may not set them. */
export const BUILD_ENV_KEYS = ['MIX_ENV', 'LANG', 'MIX_REBAR3'] as const
/** build.env may not set these: gatling's own, and PATH (a pinned toolchain's bin directories come first in it). */
export const BUILD_ENV_RESERVED = [...BUILD_ENV_KEYS, 'PATH'] as const

/** The same test as one ERE, for gatling-root's check of an env file's keys. */
export const reservedEnvPattern = (): string => `(${[...RESERVED_ENV.exact, ...RESERVED_ENV.prefixes.map((p) => `${p}[A-Za-z0-9_]*`)].join('|')})`
