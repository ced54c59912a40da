// Shared by the hot-upgrade e2e tests: the first deploy of hello, and what a hot or a restart push,
// and a bounded load during one, look like from outside.
import {expect} from 'chai'

import {TestApp, body, describeRun, type LoadReport, type RunResult} from './app.js'
import {buildCli} from './cli.js'
import {bootHost, type TestHost} from './hosts.js'

/** boot, setup, .env.production, first push of v1 */
export async function deployV1(name: string, suite: string): Promise<{host: TestHost; app: TestApp}> {
  await buildCli()
  const host = await bootHost(name, {suite})
  const app = await TestApp.create()
  const setup = await app.setup(host)
  expect(setup.code, describeRun(setup)).to.equal(0)
  await app.write('.env.production', 'GREETING=bonjour\n')
  await app.commitAll('production config')
  const push = await app.push(host)
  expect(push.code, describeRun(push)).to.equal(0)
  expect(await body(host, '/')).to.equal('bonjour from v1')
  return {host, app}
}

export function expectHot(r: RunResult) {
  expect(r.code, describeRun(r)).to.equal(0)
  expect(r.stdout, describeRun(r)).to.include('hot upgrade')
  expect(r.stdout, describeRun(r)).to.match(/GATLING_RESULT ok \S+ -> \S+/)
}

export function expectRestart(r: RunResult, reason?: string) {
  expect(r.code, describeRun(r)).to.equal(0)
  const line = r.stdout.split('\n').find((l) => l.includes('restart (zero-downtime)'))
  expect(line, describeRun(r)).to.be.a('string')
  if (reason) expect(line).to.include(reason)
  expect(r.stdout).to.include('Switch traffic to the new release')
}

export function printLoad(label: string, report: LoadReport) {
  const bodies = [...report.bodies.entries()].map(([b, n]) => `${JSON.stringify(b.slice(0, 40))}x${n}`).join(', ')
  console.log(`      LOAD ${label}: ${report.requests} requests, ${report.failed} failed, max latency ${report.maxLatencyMs} ms, p99 ${report.p99LatencyMs} ms [${bodies}]`)
  if (report.failures.length) console.log(`      failures: ${report.failures.join(' | ')}`)
}
