// Local linearisation of the classifier for boundary attacks (DeepFool, FAB): logit differences f_k = z_k − z_y
// and their input gradients ∇f_k, from one 'logit'-head call per class of interest.
import type { Oracle } from './attack.js';

export interface Linearization {
  /** Logits of the sub-batch, rows × classes. */
  readonly logits: Float32Array;
  /** f[c][row] = z_{classes[row][c]} − z_{y[row]}. */
  readonly f: Float32Array[];
  /** w[c] = ∇f_c for every row, rows × size. */
  readonly w: Float32Array[];
}

/**
 * `classesOf[row]` lists the classes to linearise for that row (equal lengths). Costs 1 + (number of classes) model calls.
 * `batch` is the full batch size (for the full-batch label/target arrays the oracle gathers from).
 */
export async function linearize(oracle: Oracle, rows: Float32Array, ids: Int32Array, labels: Int32Array, batch: number, classesOf: Int32Array[]): Promise<Linearization> {
  const size = oracle.size, classes = oracle.model.numClasses, n = ids.length;
  const targets = new Int32Array(batch);
  ids.forEach((idx) => (targets[idx] = labels[idx]));
  const own = await oracle.lossAndGradient(rows, ids, labels, { kind: 'logit', targets });
  const f: Float32Array[] = [];
  const w: Float32Array[] = [];
  const count = classesOf.length > 0 ? classesOf[0].length : 0;
  for (let c = 0; c < count; c++) {
    ids.forEach((idx, r) => (targets[idx] = classesOf[r][c]));
    const other = await oracle.lossAndGradient(rows, ids, labels, { kind: 'logit', targets });
    const fc = new Float32Array(n);
    const wc = new Float32Array(n * size);
    for (let r = 0; r < n; r++) {
      fc[r] = own.logits[r * classes + classesOf[r][c]] - own.logits[r * classes + labels[ids[r]]];
      for (let i = 0; i < size; i++) wc[r * size + i] = other.gradient[r * size + i] - own.gradient[r * size + i];
    }
    f.push(fc);
    w.push(wc);
  }
  return { logits: own.logits, f, w };
}

/** The classes of rank 1..count (0 = highest) of each row's logits, skipping the label. */
export function topOtherClasses(logits: Float32Array, row: number, classes: number, label: number, count: number): Int32Array {
  const order = Array.from({ length: classes }, (_, k) => k).filter((k) => k !== label).sort((a, b) => logits[row * classes + b] - logits[row * classes + a] || a - b);
  return Int32Array.from(order.slice(0, count));
}
