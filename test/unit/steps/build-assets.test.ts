import {expect} from 'chai'
import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {buildAssets} from '../../../src/steps/build-assets.js'
import {FakeServer, deployContext, onlyCommand} from '../support.js'

// what gatling-deploy assets does (npm, assets.deploy or phx.digest, a failed tool download): server/gatling-deploy.test.ts
describe('steps/build-assets', () => {
  let server: FakeServer
  let build: string
  beforeEach(() => {
    server = new FakeServer()
    build = server.paths().build
    mkdirSync(build, {recursive: true})
  })
  afterEach(() => server.cleanup())

  const ctx = () => deployContext({paths: {...server.paths(), build}})
  const run = (script: string) => spawnSync('/bin/sh', ['-c', script], {encoding: 'utf8', env: server.env})

  it('runs only for an app with assets: an "assets.deploy" alias or priv/static', () => {
    writeFileSync(join(build, 'mix.exs'), 'defp aliases, do: []\n')
    expect(run(buildAssets.onlyIf!(ctx()).script).status, 'no assets').to.not.equal(0)
    expect(buildAssets.onlyIfReason).to.match(/no assets/)
    mkdirSync(join(build, 'priv', 'static'), {recursive: true})
    expect(run(buildAssets.onlyIf!(ctx()).script).status, 'priv/static').to.equal(0)
    writeFileSync(join(build, 'mix.exs'), '"assets.deploy": ["esbuild default --minify", "phx.digest"]\n')
    expect(run(buildAssets.onlyIf!(ctx()).script).status, 'the alias').to.equal(0)
  })

  it('runs gatling-deploy assets in the build directory, in the build environment with build.env', () => {
    expect(onlyCommand(buildAssets, deployContext({buildEnv: {MIX_ESBUILD_PATH: '/usr/bin/esbuild'}})).script).to.equal(
      'cd /srv/gatling/hello/build && env MIX_ESBUILD_PATH=/usr/bin/esbuild MIX_ENV=prod LANG=C.UTF-8 MIX_REBAR3=/usr/bin/rebar3 /srv/gatling/hello/tools/gatling-deploy assets',
    )
  })
})
