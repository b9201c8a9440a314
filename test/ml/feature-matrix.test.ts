// Column-major matrices: building, selecting rows, and finding exact repeats (scored once, as a flood's
// identical flows are), with the outputs of a model the same whether repeats are folded or not.
import { describe, expect, it } from 'vitest';
import { computeOutputs } from '../../src/cli/ml-pool.js';
import { distinctRows, matrixFromRows, selectRows } from '../../src/ml/feature-matrix.js';
import { fitIsolationForest, scoreIsolationForest } from '../../src/ml/isolation-forest.js';
import { DEFAULT_RANDOM_FOREST_PARAMS, fitRandomForest, predictProbabilities } from '../../src/ml/random-forest.js';
import { SeededRandom } from '../../src/synth/seeded-random.js';

describe('feature matrices', () => {
  it('stores rows column by column and selects rows in the given order', () => {
    const m = matrixFromRows([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(Array.from(m.values)).toEqual([1, 3, 5, 2, 4, 6]);
    expect(Array.from(selectRows(m, Int32Array.from([2, 0])).values)).toEqual([5, 1, 6, 2]);
    expect(selectRows(m, Int32Array.from([1]), true).values.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('finds rows that repeat an earlier row bit for bit', () => {
    const m = matrixFromRows([
      [1, 2],
      [1, 2.0000001],
      [1, 2],
      [0, 0],
      [-0, 0],
      [0, 0],
    ]);
    const { first, of } = distinctRows(m);
    expect(Array.from(first)).toEqual([0, 1, 3, 4]);
    expect(Array.from(of)).toEqual([0, 1, 0, 2, 3, 2]);
  });

  it.each(['isolation forest', 'random forest'])('gives the same %s outputs when repeated rows are scored once', async (kind) => {
    const rng = new SeededRandom(1);
    const base = Array.from({ length: 300 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    // 3000 rows, 300 distinct: the repeats are folded
    const rows = Array.from({ length: 3000 }, (_, i) => base[(i * 7) % 300]);
    const data = matrixFromRows(rows);
    const forest =
      kind === 'isolation forest'
        ? fitIsolationForest(data, { trees: 20, subsampleSize: 64 }, new SeededRandom(2))
        : fitRandomForest(data, Int32Array.from(rows, (r) => (r[0] > 0 ? 1 : 0)), 2, { ...DEFAULT_RANDOM_FOREST_PARAMS, trees: 10 }, new SeededRandom(3));
    const direct = forest.kind === 'isolation-forest' ? scoreIsolationForest(forest, data) : predictProbabilities(forest, data);
    const folded = await computeOutputs(forest, data, { threads: 1 });
    expect(folded).toEqual(direct);
  });
});
