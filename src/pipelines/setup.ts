import type {SetupContext} from '../context.js'
import type {Pipeline} from '../pipeline/step.js'
import {authorizeDeployKeys} from '../steps/authorize-deploy-keys.js'
import {bindEpmdToLoopback} from '../steps/bind-epmd-to-loopback.js'
import {configureFirewall} from '../steps/configure-firewall.js'
import {configureNginx} from '../steps/configure-nginx.js'
import {createDeployUser} from '../steps/create-deploy-user.js'
import {createSwap} from '../steps/create-swap.js'
import {detectSystem} from '../steps/detect-system.js'
import {installHex} from '../steps/install-hex.js'
import {installCertbot} from '../steps/install-certbot.js'
import {installPostgresql} from '../steps/install-postgresql.js'
import {installPackages} from '../steps/install-packages.js'
import {installPrivilegedHelper} from '../steps/install-privileged-helper.js'
import {trustAcmeCa} from '../steps/trust-acme-ca.js'

/** From a bare Debian/Ubuntu server to a deploy target. */
export const setupPipeline: Pipeline<SetupContext> = [
  detectSystem,
  installPackages,
  createSwap,
  createDeployUser,
  authorizeDeployKeys,
  installHex,
  installPrivilegedHelper,
  bindEpmdToLoopback,
  configureNginx,
  installCertbot,
  installPostgresql,
  trustAcmeCa,
  configureFirewall,
]
