// Reads every Parquet file of a claimgraph export directory with hyparquet
// (and hyparquet-compressors for zstd) and prints, as JSON, per table: the
// number of rows in the footer, the rows read, the codecs of the column
// chunks, the schema of each top-level column (physical type, logical or
// converted type, repetition) and every row (BigInt as number, so that the
// Go test can compare values).
//
// Usage: node parquet.mjs DIR
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

let hyparquet, compressors
try {
  hyparquet = await import('hyparquet')
  ;({ compressors } = await import('hyparquet-compressors'))
} catch (err) {
  console.error(`hyparquet is not installed: run "npm ci" in tools/export-check (${err.message})`)
  process.exit(2)
}
const { asyncBufferFromFile, parquetMetadataAsync, parquetSchema, parquetReadObjects } = hyparquet

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node parquet.mjs DIR')
  process.exit(2)
}

function plain(v) {
  if (typeof v === 'bigint') return Number(v)
  if (v instanceof Date) return v.toISOString()
  if (Array.isArray(v)) return v.map(plain)
  if (v && typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = plain(x)
    return o
  }
  return v
}

const out = {}
for (const name of readdirSync(dir).filter(f => f.endsWith('.parquet')).sort()) {
  const file = await asyncBufferFromFile(join(dir, name))
  const metadata = await parquetMetadataAsync(file)
  const schema = parquetSchema(metadata)
  const columns = {}
  for (const child of schema.children) {
    const el = child.element
    columns[el.name] = {
      type: el.type ?? 'GROUP',
      logical: el.logical_type?.type ?? null,
      converted: el.converted_type ?? null,
      repetition: el.repetition_type,
    }
  }
  const codecs = new Set()
  for (const rg of metadata.row_groups) {
    for (const col of rg.columns) codecs.add(col.meta_data.codec)
  }
  const rows = await parquetReadObjects({ file, compressors, metadata })
  const kv = {}
  for (const { key, value } of metadata.key_value_metadata ?? []) kv[key] = value
  out[name.replace(/\.parquet$/, '')] = {
    numRows: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    codecs: [...codecs].sort(),
    columns,
    keyValue: kv,
    rows: rows.map(plain),
  }
}
console.log(JSON.stringify(out))
