import {GIT_PUSH_OPERATOR} from '../config/operator.js'
import type {DeployContext} from '../context.js'
import {branch} from '../pipeline/branch.js'
import {renderScript} from '../pipeline/script.js'
import type {Pipeline} from '../pipeline/step.js'
import {shellVar} from '../remote/shell.js'
import {HELPER} from '../server/layout.js'
import {statePath} from '../server/state.js'
import {buildAssets} from '../steps/build-assets.js'
import {checkHealthThroughNginx} from '../steps/check-health-through-nginx.js'
import {checkInstanceHealth} from '../steps/check-instance-health.js'
import {checkout} from '../steps/checkout.js'
import {createRepository} from '../steps/create-repository.js'
import {createDatabase} from '../steps/create-database.js'
import {decideUpgradePath} from '../steps/decide-upgrade-path.js'
import {hotUpgrade} from '../steps/hot-upgrade.js'
import {installDeployHook} from '../steps/install-deploy-hook.js'
import {installNginxSite} from '../steps/install-nginx-site.js'
import {installOwnCertificate} from '../steps/install-own-certificate.js'
import {installRelease} from '../steps/install-release.js'
import {installToolchain} from '../steps/install-toolchain.js'
import {installSystemdUnit} from '../steps/install-systemd-unit.js'
import {markCurrent} from '../steps/mark-current.js'
import {obtainCertificate} from '../steps/obtain-certificate.js'
import {mixCompile} from '../steps/mix-compile.js'
import {mixDepsCompile} from '../steps/mix-deps-compile.js'
import {mixDepsGet} from '../steps/mix-deps-get.js'
import {mixRelease} from '../steps/mix-release.js'
import {prepareApp} from '../steps/prepare-app.js'
import {pruneReleases} from '../steps/prune-releases.js'
import {runMigrations} from '../steps/run-migrations.js'
import {scheduleBackups} from '../steps/schedule-backups.js'
import {setReleaseVersion} from '../steps/set-release-version.js'
import {startInstance} from '../steps/start-instance.js'
import {switchTraffic} from '../steps/switch-traffic.js'
import {writeEnvFile} from '../steps/write-env-file.js'

/** Before the code is pushed: the app exists (its user, group, directories, ports, cookie). */
export const prepareAppPipeline: Pipeline<DeployContext> = [prepareApp]

/** Then its repository, hook and deploy tools (as the deploy user, whose login must have the app's group). */
export const appFilesPipeline = (ctx: DeployContext): Pipeline<DeployContext> => [createRepository, installDeployHook(deployScript(ctx))]

/** The deploy pipeline as the hook's script: any commit ($REV), the env file already on the server, hot where it can. */
export const deployScript = (ctx: DeployContext): string =>
  renderScript('server/deploy.sh.ejs', deployPipeline, {...ctx, rev: shellVar('REV'), envFile: undefined, forceRestart: false, operator: GIT_PUSH_OPERATOR, rollback: false}, {
    app: ctx.app,
    helper: HELPER,
    lock: ctx.paths.lock,
    lockHolder: ctx.paths.lockHolder,
    vsnFile: statePath(ctx.paths, 'vsn'),
    pathFile: statePath(ctx.paths, 'path'),
  })

/** How the new release reaches traffic (decided by decide-upgrade-path or plan-rollback): in the running node, or beside it. */
export const upgradePath = (hot: Pipeline<DeployContext>): Pipeline<DeployContext> =>
  branch((ctx: DeployContext) => statePath(ctx.paths, 'path'), [
    {label: 'the hot upgrade', when: ['hot'], steps: hot},
    // a refused hot upgrade writes "restart": these steps run after it
    {label: 'the zero-downtime restart', when: ['restart', 'first'], steps: [startInstance, checkInstanceHealth, switchTraffic]},
  ])

/** The site and, with "tls", its certificate: the domains it covers served over HTTPS (setup runs it too, so the first push finds HTTPS). */
export const httpsPipeline: Pipeline<DeployContext> = [installOwnCertificate, installNginxSite, obtainCertificate]

/** From a pushed commit to a serving release (the seed's deploy/1). */
export const deployPipeline: Pipeline<DeployContext> = [
  installToolchain,
  checkout,
  setReleaseVersion,
  mixDepsGet,
  mixDepsCompile,
  mixCompile,
  buildAssets,
  mixRelease,
  installRelease,
  writeEnvFile,
  installSystemdUnit,
  createDatabase,
  scheduleBackups,
  runMigrations,
  decideUpgradePath,
  ...httpsPipeline,
  ...upgradePath([hotUpgrade]),
  checkHealthThroughNginx,
  markCurrent,
  pruneReleases,
]
