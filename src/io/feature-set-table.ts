// A features CSV read as the feature set a model learns from: the table's own numeric columns (`flow`, the
// default) or a set derived from them (`client-activity`, see src/features/client-activity.ts). Train and
// detect both come through here, so a model is always fed the columns it was trained on.

import { BadDataError } from '../errors.js';
import { clientActivity, internTexts } from '../features/client-activity.js';
import { CLIENT_ACTIVITY_COLUMNS, CLIENT_ACTIVITY_INPUTS, CLIENT_ACTIVITY_VERSION } from '../schema/client-activity-columns.js';
import { FLOWS_SCHEMA_VERSION } from '../schema/flow-columns.js';
import { readFeatureTable, type FeatureTable, type IdentifierCells, type ReadFeatureTableOptions } from './feature-table.js';

/** What `--features` names, and what a model file records (null: the table's own columns). */
export const FEATURE_SETS = ['flow', 'client-activity'] as const;
export type FeatureSetName = (typeof FEATURE_SETS)[number];

/** The version tag a model records for a derived set. */
export function derivedVersion(set: FeatureSetName): string | null {
  return set === 'client-activity' ? CLIENT_ACTIVITY_VERSION : null;
}

/** The set a model's `derived` tag names. */
export function featureSetOf(derived: string | null): FeatureSetName {
  if (derived === null) return 'flow';
  if (derived === CLIENT_ACTIVITY_VERSION) return 'client-activity';
  throw new BadDataError(`the model was trained on the derived feature set ${derived}; this netml derives ${CLIENT_ACTIVITY_VERSION}`, 'train the model again with this netml');
}

/**
 * Reads `path` as `set`. For `flow` this is readFeatureTable itself; for `client-activity` the inputs and the
 * address identifiers are read, and the matrix (and featureNames) are the derived columns.
 */
export function readFeatureSetTable(path: string, set: FeatureSetName, options: ReadFeatureTableOptions = {}): FeatureTable {
  if (set === 'flow') return readFeatureTable(path, options);
  const table = readFeatureTable(path, {
    ...options,
    featureNames: [...CLIENT_ACTIVITY_INPUTS],
    keepIdentifiers: true,
    checkSchema: (schema) => {
      if (schema.version !== FLOWS_SCHEMA_VERSION) {
        throw new BadDataError(
          `${path} is a ${schema.version} table (one row per ${schema.level}); client-activity features are derived from the ${FLOWS_SCHEMA_VERSION} flow rows`,
          'use the flow table of `netml extract` (dataset/features.csv)',
        );
      }
      options.checkSchema?.(schema);
    },
  });
  const ids = table.identifiers as IdentifierCells;
  const [clients, servers] = cellsOf(ids, ['src_addr', 'dst_addr']);
  const derived = clientActivity(table.matrix, internTexts(clients), internTexts(servers));
  // worker threads read the matrix from shared memory, like the table's own
  const values = options.shared ? new Float64Array(new SharedArrayBuffer(derived.values.byteLength)) : derived.values;
  if (options.shared) values.set(derived.values);
  return {
    ...table,
    featureNames: CLIENT_ACTIVITY_COLUMNS.map((c) => c.name),
    matrix: { ...derived, values },
    identifiers: options.keepIdentifiers ? ids : null,
  };
}

/** Some identifier columns of every row, as text: one list per name, each row decoded once. */
function cellsOf(ids: IdentifierCells, names: readonly string[]): string[][] {
  const at = names.map((name) => {
    const i = ids.names.indexOf(name);
    if (i < 0) throw new Error(`identifier column ${name} was not kept`);
    return i;
  });
  const decoder = new TextDecoder();
  const rows = ids.offsets.length - 1;
  const out = names.map(() => new Array<string>(rows));
  for (let r = 0; r < rows; r++) {
    const cells = decoder.decode(ids.bytes.subarray(ids.offsets[r], ids.offsets[r + 1])).split(',');
    for (let k = 0; k < at.length; k++) out[k][r] = cells[at[k]];
  }
  return out;
}
