/**
 * @module The package as it is published, for tests of the built output: `tsc -p
 * tsconfig.build.json` into a temporary package-shaped folder (dist/, the package.json, links to
 * migrations/ and node_modules/).
 */
import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** A built package folder; remove `root` when done. */
export interface BuiltPackage {
  root: string
  /** What tsc printed: type errors of a mid-edit tree (it still emits). */
  tscOutput: string
}

/** Builds the package into a fresh folder under the OS temp directory named after `label`. */
export async function buildPackage(label: string): Promise<BuiltPackage> {
  const root = mkdtempSync(path.join(tmpdir(), `pgstore-${label}-`))
  copyFileSync(path.join(repoRoot, 'package.json'), path.join(root, 'package.json'))
  symlinkSync(path.join(repoRoot, 'migrations'), path.join(root, 'migrations'))
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'))
  const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const tscOutput = await promisify(execFile)(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', path.join(root, 'dist')],
    { cwd: repoRoot },
  ).then(
    (r) => r.stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  )
  return { root, tscOutput }
}
