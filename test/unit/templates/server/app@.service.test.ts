import {expect} from 'chai'

import {appPaths} from '../../../../src/server/layout.js'
import {COOKIE_PLACEHOLDER, nodeEnvironment, sandbox} from '../../../../src/server/node.js'
import {renderUnitTemplate} from '../../../../src/server/scripts.js'

describe('templates/server/app@.service', () => {
  // as gatling-root fills it for app hello
  const unit = renderUnitTemplate().replaceAll('@@APP@@', 'hello')
  const directives = unit.split('\n').filter((l) => /^[A-Za-z]+=/.test(l))

  it('runs the instance (its port is %i) as the app, from its slot, restarting on failure', () => {
    expect(directives).to.include('User=hello')
    expect(directives).to.include('Group=hello')
    expect(directives).to.include('Type=exec')
    expect(directives).to.include('Restart=on-failure')
    expect(directives.filter((d) => d.startsWith('Restart='))).to.have.length(1)
    expect(directives).to.include(`ExecStart=${appPaths('hello').slots}/%i/bin/hello start`)
    expect(directives).to.include(`WorkingDirectory=${appPaths('hello').home}`)
    expect(directives).to.include('WantedBy=multi-user.target')
    expect(unit.indexOf('[Unit]')).to.be.lessThan(unit.indexOf('[Service]'))
    expect(unit.indexOf('[Service]')).to.be.lessThan(unit.indexOf('[Install]'))
  })

  it("sets the node's environment, then the app's env file (which gatling-root keeps from overriding it)", () => {
    for (const [key, value] of nodeEnvironment('hello', '%i')) expect(directives, key).to.include(`Environment="${key}=${value}"`)
    expect(directives).to.include('Environment="PORT=%i"')
    expect(directives).to.include(`Environment="RELEASE_COOKIE=${COOKIE_PLACEHOLDER}"`)
    expect(directives).to.include(`EnvironmentFile=${appPaths('hello').envFile}`)
    expect(directives.indexOf(`EnvironmentFile=${appPaths('hello').envFile}`)).to.be.greaterThan(directives.map((d) => d.startsWith("Environment=")).lastIndexOf(true))
  })

  it('has the sandbox of src/server/node.ts, writing only its slot and its home', () => {
    for (const [key, value] of sandbox('hello', '%i')) expect(directives, key).to.include(`${key}=${value}`)
    expect(directives).to.include(`ReadWritePaths=${appPaths('hello').slots}/%i ${appPaths('hello').home}`)
    expect(directives).to.include('ProtectProc=invisible').and.include('NoNewPrivileges=yes')
  })

  it('needs epmd from its loopback socket, never starting one of its own', () => {
    expect(directives).to.include('Wants=epmd.socket')
    expect(directives).to.include('After=network.target epmd.socket')
  })

  it('puts back a runtime config a half-done hot upgrade left, before it boots', () => {
    const pre = directives.find((d) => d.startsWith('ExecStartPre='))!
    expect(pre).to.contain(`${appPaths('hello').slots}/%i/releases/*/sys.config.gatling-build`)
    expect(pre).to.contain('$$f').and.contain('$${f%%.gatling-build}')
  })
})
