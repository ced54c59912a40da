// What `npm pack` ships: the installed CLI must find every template it renders on a server.
import {expect} from 'chai'
import {execFileSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {ELIXIR_TOOLS} from '../../src/steps/install-deploy-hook.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

describe('the npm package', () => {
  it('ships bin/run.js, every template and the compiled commands, and no dev entry point', function () {
    this.timeout(60_000)
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}))
    const files = new Set<string>(pack.files.map((f: {path: string}) => f.path))
    expect(files.has('bin/run.js')).to.equal(true)
    expect(files.has('bin/dev.js'), 'bin/dev.js needs tsx, a dev dependency').to.equal(false)
    for (const dir of ['server', 'elixir']) {
      for (const name of readdirSync(join(root, 'templates', dir))) expect(files.has(`templates/${dir}/${name}`), name).to.equal(true)
    }
    for (const tool of ELIXIR_TOOLS) expect(files.has(`templates/elixir/${tool}`), tool).to.equal(true)
    for (const command of ['setup', 'push', 'upgrade', 'rollback', 'domains/index', 'domains/add', 'domains/remove', 'migrate', 'db/create', 'db/psql', 'db/backup', 'db/restore', 'db/backups', 'db/info']) expect(files.has(`dist/commands/${command}.js`), `${command}: run npm run build first`).to.equal(true)
  })
})
