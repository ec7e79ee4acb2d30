/**
 * @module Checks what `npm pack` would publish, after `npm run build`: the entry points and bin the
 * manifest names are in it, the LICENSE and migrations too; nothing from test/, bench/, examples/,
 * scripts/ or go/; no dist file left over from a source that no longer exists; and every source map
 * (`.js.map`, `.d.ts.map`) names sources that are themselves in the package, so a debugger or
 * "go to definition" lands on real TypeScript instead of a missing file.
 *
 *   node --import tsx scripts/check-pack.ts
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'))

// --ignore-scripts: the list must not depend on lifecycle scripts; the caller has built already.
const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
})
const packed = new Set<string>(JSON.parse(out)[0].files.map((f: { path: string }) => f.path))

const problems: string[] = []
const need = (file: string, why: string): void => {
  const clean = path.posix.normalize(file).replace(/^\.\//, '')
  if (!packed.has(clean)) problems.push(`missing ${clean} (${why})`)
}

need('LICENSE', 'license')
need('README.md', 'readme')
need('package.json', 'manifest')
for (const [sub, target] of Object.entries<Record<string, string> | string>(manifest.exports)) {
  if (typeof target === 'string') need(target, `exports ${sub}`)
  else for (const [cond, file] of Object.entries(target)) need(file, `exports ${sub} ${cond}`)
}
for (const [name, file] of Object.entries<string>(manifest.bin ?? {})) need(file, `bin ${name}`)
const migrations = [...packed].filter((f) => f.startsWith('migrations/') && f.endsWith('.sql'))
if (migrations.length === 0) problems.push('no migrations/*.sql (pgstore migrate needs them)')

for (const file of packed) {
  if (/^(test|bench|examples|scripts|go|docs|node_modules|\.ci)\//.test(file)) {
    problems.push(`${file} must not be published`)
  }
  if (file.startsWith('dist/') && /\.(js|d\.ts)$/.test(file)) {
    const source = file.replace(/^dist\//, 'src/').replace(/(\.d)?\.ts$|\.js$/, '.ts')
    if (!packed.has(source)) problems.push(`${file} has no source ${source} (stale build output?)`)
  }
  if (file.endsWith('.map')) {
    const map = JSON.parse(readFileSync(path.join(root, file), 'utf8'))
    const base = path.posix.join(path.posix.dirname(file), map.sourceRoot ?? '')
    for (const source of map.sources as string[]) {
      const resolved = path.posix.normalize(path.posix.join(base, source))
      if (!packed.has(resolved)) problems.push(`${file} points at ${resolved}, not in the package`)
    }
  }
}

if (problems.length > 0) {
  console.error('npm pack contents are wrong:')
  for (const line of problems) console.error(`  ${line}`)
  process.exit(1)
}
const maps = [...packed].filter((f) => f.endsWith('.map')).length
console.log(`pack: ${packed.size} files, ${maps} source maps resolve, no tests or bench`)
