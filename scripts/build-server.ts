import { build } from 'esbuild'
import { readdir, rm } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Compiles the Node entry (server/node.ts and everything of ours it imports) into one ES module,
 * packages left as imports, with what is imported lazily in chunks beside it. `npm start` runs
 * that file with plain node: under tsx the same server idles at ~270 MB RSS, compiled at ~130 MB
 * (tsx keeps every transformed source and its loader thread), and nothing is compiled while the
 * first callbacks wait.
 */
export async function buildServer(outfile = `${root}dist/node.js`, entry = 'server/node.ts'): Promise<string> {
  const { metafile } = await build({
    entryPoints: { [basename(outfile, '.js')]: `${root}${entry}` },
    outdir: dirname(outfile),
    // Modules we import only when configured (the Feishu long connection, DingTalk's stream) stay in
    // chunks of their own, and so do their packages: one bundle would load every SDK at start.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
  })
  await removeStaleChunks(join(dirname(outfile), 'chunks'), new Set(Object.keys(metafile.outputs).map((path) => resolve(path))))
  return outfile
}

/**
 * Chunk names carry a content hash, so every build of changed code adds files beside the old ones.
 * A server loads its chunks when it starts, so those of earlier builds are needed by nobody.
 */
async function removeStaleChunks(dir: string, built: Set<string>): Promise<void> {
  const files = await readdir(dir).catch(() => [])
  await Promise.all(files.filter((name) => !built.has(join(dir, name))).map((name) => rm(join(dir, name), { force: true })))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildServer(process.argv[2])
