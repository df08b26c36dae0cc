// A shard's records as they travel through Redis: one column per record field, in the order of the shard's
// sample ids. The condition and the sample ids are in the shard itself, so they are not sent again, and field
// names appear once per shard instead of once per record: about a third of the bytes of a list of records, and
// exactly the same records after unpacking (numbers go through JSON unchanged, absent fields stay absent).
import type { SampleRecord } from '../store/store.js';

/** The record fields sent per sample; `noise` and `sampleId` come from the shard. */
const FIELDS = ['label', 'status', 'top5', 'confidence', 'trueProbability', 'error', 'extra'] as const;
type Field = (typeof FIELDS)[number];

export interface PackedRecords {
  /** Records, one per sample id of the shard. */
  readonly count: number;
  /** A column per field some record has (null where a record lacks it); `status` is left out when every record is ok. */
  readonly columns: Partial<Record<Field, unknown[]>>;
}

/** Packs one condition's records in the order of `sampleIds`; a sample without a record is an error. */
export function packRecords(sampleIds: readonly string[], records: readonly SampleRecord[]): PackedRecords {
  const byId = new Map(records.map((r) => [r.sampleId, r]));
  const ordered = sampleIds.map((id) => {
    const record = byId.get(id);
    if (!record) throw new Error(`no record was computed for sample ${id}`);
    return record;
  });
  const columns: Partial<Record<Field, unknown[]>> = {};
  for (const field of FIELDS) {
    const column = ordered.map((r) => r[field] ?? null);
    if (field === 'status' ? column.some((v) => v !== 'ok') : column.some((v) => v !== null)) columns[field] = column;
  }
  return { count: ordered.length, columns };
}

/**
 * The records of a packed shard, or the reason they cannot be trusted (a worker of another version, a count
 * that does not match the shard's samples).
 */
export function unpackRecords(noise: string, sampleIds: readonly string[], packed: PackedRecords | undefined): SampleRecord[] | string {
  if (!packed || typeof packed.count !== 'number' || typeof packed.columns !== 'object' || packed.columns === null) return 'the worker returned no records';
  if (packed.count !== sampleIds.length) return `the worker returned ${packed.count} records for ${sampleIds.length} samples`;
  const columns = Object.entries(packed.columns) as [Field, unknown[]][];
  if (columns.some(([field, column]) => !FIELDS.includes(field) || !Array.isArray(column) || column.length !== packed.count)) return 'the worker returned malformed record columns';
  if (!packed.columns.label) return 'the worker returned records without labels';
  return sampleIds.map((sampleId, i) => {
    const record: Record<string, unknown> = { noise, sampleId, status: 'ok' };
    for (const [field, column] of columns) if (column[i] !== null) record[field] = column[i];
    return record as unknown as SampleRecord;
  });
}
