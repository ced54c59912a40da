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
  // what journalctl --since reads (systemd.time): never an option, never a file
  logSince: {description: 'a time like "2026-12-01", "2026-12-01 14:30", "14:30", "-10m", "2h ago", "today" or "yesterday" (units s, min, m, h, d, w)', pattern: '[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?|[0-9]{2}:[0-9]{2}(:[0-9]{2})?|-[0-9]{1,6}(s|min|m|h|d|w)|[0-9]{1,6} ?(s|min|m|h|d|w) ago|today|yesterday'},
  /** Who deployed a release, as the release's record keeps it (git's user.name <user.email>, $USER@host, "git push"). */
  operator: {description: 'a name like "Jane Doe <jane@example.com>" (letters, digits, space and ._@+<>()-, at most 120)', pattern: '[A-Za-z0-9_<][A-Za-z0-9._@+<>() -]{0,119}'},
  // first character never "-": never an option of certbot
  email: {description: 'an e-mail address like ops@example.com', pattern: '[A-Za-z0-9_][A-Za-z0-9._+-]{0,63}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+'},
  acmeUrl: {description: 'an ACME directory URL like https://acme-v02.api.letsencrypt.org/directory', pattern: 'https://[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]+)*/?'},
  /** days scheduled database backups are kept (database.backups); 0 turns the schedule off */
  backupDays: {description: 'a whole number of days from 1 to 365', pattern: '[1-9][0-9]?|[12][0-9][0-9]|3[0-5][0-9]|36[0-5]'},
  // first character a digit: never an option, never "." or ".."
  otpVersion: {description: 'an Erlang/OTP version like 27.3.4', pattern: '[1-9][0-9](\\.[0-9]{1,3}){0,4}'},
  elixirVersion: {description: 'an Elixir version like 1.18.3', pattern: '1\\.[0-9]{1,2}\\.[0-9]{1,3}(-rc\\.[0-9]{1,2})?'},
  /** Where toolchains are downloaded from (toolchains.mirror): http only for a mirror on a network you trust */
  mirrorUrl: {description: 'a mirror URL like https://builds.hex.pm (https://, or http:// for a local mirror; no query, no trailing slash)', pattern: 'https?://[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?(:[1-9][0-9]{0,4})?(/[A-Za-z0-9._~-]+)*'},
  envKey: {description: 'an environment variable name (letters, digits and _, not starting with a digit)', pattern: '[A-Za-z_][A-Za-z0-9_]{0,127}'},
  /** What the audit log records (gatling-root audit): the operation, its result, who asked, from where, the command. */
  auditEvent: {description: 'an audited operation (setup, deploy, rollback, env, restart, stop, start, migrate, database, lock-break, destroy)', pattern: 'setup|deploy|rollback|env|restart|stop|start|migrate|database|lock-break|destroy'},
  auditResult: {description: 'ok or failed', pattern: 'ok|failed'},
  auditWho: {description: 'a user name like alice@laptop (letters, digits, . _ @ + -, at most 100)', pattern: '[A-Za-z0-9_][A-Za-z0-9._@+-]{0,99}'},
  auditFrom: {description: 'an IP address, or -', pattern: '[0-9A-Fa-f:][0-9A-Fa-f.:]{1,44}|-'},
  auditCommand: {description: 'a gatling command line of letters, digits, spaces and . _ = + - ( ) (at most 80)', pattern: '[a-z][A-Za-z0-9 ._=+()-]{0,79}'},
  lockWait: {description: 'a whole number of seconds from 0 to 3600', pattern: '[0-9]|[1-9][0-9]{1,2}|[1-2][0-9]{3}|3[0-5][0-9]{2}|3600'},
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
