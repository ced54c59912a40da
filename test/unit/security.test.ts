// Tests that values from the user or the deploy user cannot become shell code or escape validation.
import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {type DeployContext, APPS_ROOT, appPaths} from '../../src/context.js'
import {checkHealthThroughNginx} from '../../src/steps/check-health-through-nginx.js'
import {SHARE_DIR} from '../../src/steps/install-privileged-helper.js'
import {render} from '../../src/templates.js'
import {tempDir} from './support.js'

describe('injection and validation', () => {
  let dir: string
  let cleanup: () => void
  beforeEach(() => ({dir, cleanup} = tempDir('gatling-unit-security-')))
  afterEach(() => cleanup())

  describe("gatling-root's valid(): the deploy user's only way to act as root", () => {
    /** Call the helper's own valid() function, extracted from the rendered script. */
    const valid = (pattern: string, value: string) => {
      const helper = render('server/gatling-root.ejs', {deployUser: 'gatling', appsRoot: APPS_ROOT, shareDir: SHARE_DIR})
      const functions = helper.split('\n').filter((l) => /^(die|valid)\(\)/.test(l)).join('\n')
      expect(functions).to.match(/^die\(\)/m).and.match(/^valid\(\)/m)
      return spawnSync('/bin/sh', ['-c', `${functions}\nvalid "$1" "$2" && echo accepted`, 'sh', pattern, value], {encoding: 'utf8'})
    }

    it('accepts well-formed values and refuses single-line bad ones', () => {
      expect(valid('[a-z][a-z0-9_]{0,30}', 'hello').stdout).to.equal('accepted\n')
      expect(valid('[0-9A-Za-z.+_-]{1,64}', '0.1.0+7').stdout).to.equal('accepted\n')
      for (const [pattern, bad] of [['[a-z][a-z0-9_]{0,30}', 'Hello'], ['[0-9A-Za-z.+_-]{1,64}', '../../etc'], ['[0-9]{4,5}', '80'], ['[0-9]{4,5}', '4000;id']]) {
        const run = valid(pattern, bad)
        expect(run.status, bad).to.equal(2)
        expect(run.stderr).to.equal(`gatling-root: invalid argument: ${bad}\n`)
      }
    })

    // Regression: grep -x matches line by line, so an argument with a newline passes when
    // any one of its lines matches. `gatling-root install-release APP $'x\n/../../../../etc'` passes
    // vsn_arg, and the helper then runs `rm -rf "$APPS/$APP/releases/$VSN"` as root on that path.
    it('refuses an argument with a newline, whatever its first line', () => {
      for (const [pattern, bad] of [
        ['[0-9A-Za-z.+_-]{1,64}', '0.1.0\n/../../../../etc'],
        ['[a-z][a-z0-9_]{0,30}', 'hello\n../../x'],
        ['[0-9]{4,5}', '4000\n/../../tmp'],
      ]) {
        const run = valid(pattern, bad)
        expect(run.stdout, JSON.stringify(bad)).to.equal('')
        expect(run.status, JSON.stringify(bad)).to.equal(2)
      }
    })
  })

  describe('the health check path from gatling.json', () => {
    // Regression: checkHealthThroughNginx (and checkInstanceHealth) paste ctx.healthPath
    // into double-quoted echo text, so "$(...)" in "healthCheck" runs on the server, and a `"` in it
    // breaks the generated deploy script. Everything else goes through sh().
    it('is never run as shell code', () => {
      const bin = join(dir, 'bin')
      mkdirSync(bin)
      writeFileSync(join(bin, 'curl'), '#!/bin/sh\nprintf 503\n') // nginx answers 503: the step prints the path
      chmodSync(join(bin, 'curl'), 0o755)
      const marker = join(dir, 'pwned')
      const paths = {...appPaths('hello'), state: join(dir, 'state')}
      mkdirSync(paths.state)
      const ctx: DeployContext = {app: 'hello', host: 'h', rev: 'HEAD', healthPath: `/up$(touch ${marker})`, domains: [], keepReleases: 5, paths}
      const [command] = checkHealthThroughNginx.commands(ctx)
      const run = spawnSync('/bin/sh', ['-c', command.script], {encoding: 'utf8', env: {PATH: `${bin}:${process.env.PATH}`}})
      expect(run.status, 'the step fails: nginx did not answer 200').to.not.equal(0)
      expect(existsSync(marker), 'the health path was executed').to.equal(false)
      expect(run.stdout).to.contain(`/up$(touch ${marker})`)
    })
  })
})
