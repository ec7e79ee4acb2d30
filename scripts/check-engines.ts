/**
 * @module Fails when a package in package-lock.json asks for a Node.js version this project
 * supports but that package does not: `npm install` on such a version prints EBADENGINE. The check
 * reads the lockfile instead of running `npm ci`, so it holds on whatever Node version CI runs:
 * npm warns only about the version it runs on, this checks the whole supported range.
 *
 *   node --import tsx scripts/check-engines.ts
 */
import { readFileSync } from 'node:fs'
import semver from 'semver'

interface LockPackage {
  version?: string
  engines?: { node?: unknown } | unknown[]
  os?: string[]
  cpu?: string[]
}

// npm skips (and never checks the engines of) a platform package built for another system, such
// as sharp's win32 binaries: only packages this machine would install can warn here.
function installsHere(pkg: LockPackage): boolean {
  const fits = (list: string[] | undefined, value: string) =>
    list === undefined ||
    (!list.includes(`!${value}`) && (list.every((x) => x.startsWith('!')) || list.includes(value)))
  return fits(pkg.os, process.platform) && fits(pkg.cpu, process.arch)
}

const root = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8'))
const supported: string = manifest.engines.node

const problems: string[] = []
for (const [where, pkg] of Object.entries<LockPackage>(lock.packages)) {
  if (where === '' || !installsHere(pkg)) continue
  const engines = pkg.engines
  // Old packages sometimes wrote `engines` as an array of strings, which npm ignores.
  if (engines === undefined || Array.isArray(engines)) continue
  const wanted = engines.node
  if (typeof wanted !== 'string' || wanted.trim() === '' || wanted.trim() === '*') continue
  if (semver.validRange(wanted) === null) {
    problems.push(`${where}@${pkg.version}: unreadable engines.node ${JSON.stringify(wanted)}`)
  } else if (!semver.subset(supported, wanted)) {
    problems.push(`${where}@${pkg.version} wants node ${wanted}`)
  }
}

if (problems.length > 0) {
  console.error(`These packages do not cover the supported Node.js range (${supported}):`)
  for (const line of problems) console.error(`  ${line}`)
  console.error('Pin a version that supports the whole range, or replace the package.')
  process.exit(1)
}
console.log(`engines: every locked package supports node ${supported}`)
