import {expect} from 'chai'
import {spawnSync} from 'node:child_process'

import {RESERVED_ENV, RULES, type RuleName, domainLength, isReservedEnv, isValid, reservedEnvPattern, ruleRegExp} from '../../../src/server/rules.js'
import {sh} from '../../../src/remote/shell.js'

const SAMPLES: Record<RuleName, {good: string[]; bad: string[]}> = {
  app: {good: ['hello', 'my_app2', 'a', `a${'b'.repeat(30)}`], bad: ['Hello', '1app', '_app', 'my-app', '', `a${'b'.repeat(31)}`, 'a b', '../x']},
  version: {good: ['0.1.0+7', '1.0.0-rc.1+12', '0', `0${'a'.repeat(63)}`, 'a..b'], bad: ['..', '.', '-rf', '+1', '_x', '0.1.0/x', '', `0${'a'.repeat(64)}`, '0.1 0', '0;id']},
  port: {good: ['4000', '4001', '65535', '1000', '99999'], bad: ['80', '999', '0400', '100000', '4000;', '-4000', '']},
  domain: {good: ['example.com', 'www.example.com', '*.example.com', 'a-b.c', 'localhost', 'x1.y2'], bad: ['-a.com', 'a-.com', 'a..com', '.com', 'a.', '*', '**.a.com', 'a.*.com', 'exa_mple.com', `${'a'.repeat(64)}.com`, 'a b', '']},
  hostName: {good: ['example.com', 'localhost', 'www.example.com'], bad: ['*.example.com', 'a/b', 'a:80', '', '-a']},
  healthPath: {good: ['/', '/health', '/api/v1/health.json', '/~me/_x-y', `/${'a'.repeat(200)}`], bad: ['health', '', '/a b', '/a?b', '/a#b', '/$(id)', `/${'a'.repeat(201)}`, '//x:y']},
  backupDays: {good: ['1', '7', '30', '99', '100', '299', '365'], bad: ['0', '07', '366', '400', '-1', '7 ', 'x', '']},
  keepReleases: {good: ['1', '5', '99', '100'], bad: ['0', '101', '007', '-1', '1e2', '']},
  logLines: {good: ['1', '40', '99999', '100000'], bad: ['0', '100001', '-n', '--vacuum-time=1s', '040', '']},
  logSince: {good: ['2026-12-01', '2026-12-01 14:30', '2026-12-01T14:30:05', '14:30', '14:30:05', '-10m', '-2h', '-30min', '-1d', '2h ago', '10 min ago', 'today', 'yesterday'], bad: ['', '10m', '--vacuum-time=1s', '-u other@4000', 'now; id', '2026-12-01 14:30 ', '-10x', '-', '1234567h ago', '--utc', '$(id)']},
  operator: {good: ['git push', 'Jane Doe <jane@example.com>', 'root@laptop', 'ci_bot (deploy)', `a${'b'.repeat(119)}`], bad: ['', '-rf', ' jane', 'a;b', "o'brien", 'a"b', 'a$b', 'a`b', `a${'b'.repeat(120)}`]},
  email: {good: ['ops@example.com', 'a.b+c_d-e@mail.example.co.uk', 'x@a.b', `${'a'.repeat(64)}@example.com`], bad: ['ops', '@example.com', 'ops@', 'ops@example', '-m@example.com', 'a b@example.com', "o'ps@example.com", 'ops@exa_mple.com', 'ops@-a.com', `${'a'.repeat(65)}@example.com`, 'a@b.com;id', '']},
  acmeUrl: {good: ['https://acme-v02.api.letsencrypt.org/directory', 'https://10.231.3.1:14000/dir', 'https://ca.internal/acme/acme/directory', 'https://ca.example.com/', 'https://ca'], bad: ['http://acme.example.com/dir', 'https://', 'https://-a.com/', 'https://a.com/dir?x=1', 'https://a.com/$(id)', 'https://user@a.com/', 'https://a.com:0/', 'https://a.com//x', 'ftp://a.com', '']},
  otpVersion: {good: ['25.2.3', '27.3.4.1', '26.0', '28', '27.3.4.10.2'], bad: ['', '2', '-25', '25.', '25..2', '../25', 'latest', 'ref:master', '25.2.3-rc1', '025.1', '25.2.3.4.5.6']},
  elixirVersion: {good: ['1.18.3', '1.14.0', '1.19.0-rc.1', '1.9.4'], bad: ['', '1.18', 'v1.18.3', '1.18.3-otp-27', '2.0.0', '1.18.3/../x', '-1.18.3', 'main']},
  mirrorUrl: {good: ['https://builds.hex.pm', 'http://10.231.4.1:8088', 'https://mirror.example.com/hex/builds'], bad: ['https://builds.hex.pm/', 'ftp://a.com', 'https://a.com?x=1', 'https://a.com/$(id)', 'https://user@a.com', 'https://a.com//x', 'file:///etc', 'https://', '']},
  envKey: {good: ['A', '_X', 'DATABASE_URL', 'a1', `A${'B'.repeat(127)}`], bad: ['1A', 'A-B', 'A B', '', `A${'B'.repeat(128)}`, 'A=B']},
  auditEvent: {good: ['setup', 'deploy', 'rollback', 'env', 'restart', 'stop', 'start', 'lock-break', 'destroy'], bad: ['deploy;id', 'Deploy', 'lock', 'deployx', '']},
  auditResult: {good: ['ok', 'failed'], bad: ['OK', 'okay', 'ok failed', '']},
  auditWho: {good: ['alice@laptop', 'git-push', 'root@host.example.com', 'a_b+c'], bad: ['-rf', '.x', 'a b', 'a\tb', 'a;id', `a${'b'.repeat(100)}`, '']},
  auditFrom: {good: ['10.0.0.1', '::1', 'fe80::1', '-'], bad: ['--', 'a b', 'host.example', '1.2.3.4;id', '']},
  auditCommand: {good: ['push', 'env set', 'rollback --to 0.1.0+3', 'git push (hot)', 'destroy --database'], bad: ['Push', '-rf', 'env\tset', 'a;id', 'a$(id)', "a'b", '']},
  lockWait: {good: ['0', '5', '60', '999', '3600', '1000', '3599'], bad: ['-1', '3601', '05', '10000', '1.5', '']},
}

describe('server/rules', () => {
  it('has samples for every rule', () => {
    expect(Object.keys(SAMPLES).sort()).to.deep.equal(Object.keys(RULES).sort())
  })

  for (const [name, {good, bad}] of Object.entries(SAMPLES) as Array<[RuleName, {good: string[]; bad: string[]}]>) {
    it(`${name}: accepts ${good.length} and refuses ${bad.length} samples`, () => {
      for (const value of good) expect(isValid(name, value), value).to.equal(true)
      for (const value of bad) expect(isValid(name, value), value).to.equal(false)
      expect(RULES[name].description.length).to.be.greaterThan(10)
    })
  }

  it('never accepts a value with a newline, a carriage return or a NUL, whatever its lines', () => {
    for (const name of Object.keys(RULES) as RuleName[]) {
      const good = SAMPLES[name].good[0]
      for (const bad of [`${good}\n`, `\n${good}`, `${good}\n${good}`, `${good}\r`, `${good}\0`]) expect(isValid(name, bad), `${name} ${JSON.stringify(bad)}`).to.equal(false)
    }
  })

  it('means the same to grep -Ex (gatling-root) as to JavaScript (the CLI)', function () {
    this.timeout(20_000)
    // one shell: for each rule and sample, the verdict of grep -Eqx on it
    const cases = (Object.keys(RULES) as RuleName[]).flatMap((name) => [...SAMPLES[name].good, ...SAMPLES[name].bad, 'x', '/', '0'].map((value) => ({name, value})))
    const script = cases.map(({name, value}) => `if printf '%s' ${sh(value)} | grep -Eqx -- ${sh(RULES[name].pattern)}; then echo 1; else echo 0; fi`).join('\n')
    const grep = spawnSync('/bin/sh', ['-c', script], {encoding: 'utf8'}).stdout.split('\n')
    cases.forEach(({name, value}, i) => expect(grep[i] === '1', `${name} ${JSON.stringify(value)}`).to.equal(ruleRegExp(name).test(value)))
  })

  it('domains are at most 253 characters (DNS)', () => {
    expect(domainLength).to.equal(253)
  })

  describe('reserved environment variables', () => {
    it('are the ones that could undo loopback distribution, the cookie file or the port', () => {
      for (const key of ['PORT', 'HOME', 'ELIXIR_ERL_OPTIONS', 'ERL_FLAGS', 'ERL_AFLAGS', 'ERL_ZFLAGS', 'LD_PRELOAD', 'PATH', 'RELEASE_COOKIE', 'RELEASE_NODE', 'RELEASE_DISTRIBUTION', 'RELEASE_TMP']) expect(isReservedEnv(key), key).to.equal(true)
      for (const key of ['DATABASE_URL', 'SECRET_KEY_BASE', 'PORTAL', 'MY_PORT', 'HOMEPAGE', 'RELEASE', 'ERL_OTHER']) expect(isReservedEnv(key), key).to.equal(false)
      expect(RESERVED_ENV.prefixes).to.deep.equal(['RELEASE_'])
    })

    it('reservedEnvPattern() is the same test for grep -Ex', () => {
      const keys = [...RESERVED_ENV.exact, 'RELEASE_COOKIE', 'RELEASE_X1', 'DATABASE_URL', 'PORTAL', 'XPORT', 'RELEASE', 'ERL_FLAGSX', 'LD_PRELOAD_X']
      const script = keys.map((key) => `if printf '%s' ${sh(key)} | grep -Eqx -- ${sh(reservedEnvPattern())}; then echo 1; else echo 0; fi`).join('\n')
      const grep = spawnSync('/bin/sh', ['-c', script], {encoding: 'utf8'}).stdout.split('\n')
      keys.forEach((key, i) => expect(grep[i] === '1', key).to.equal(isReservedEnv(key)))
    })
  })
})
