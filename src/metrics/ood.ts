// Out-of-distribution detection metrics for ImageNet-O (Hendrycks et al., Natural Adversarial Examples 2021):
// anomaly score = negative maximum softmax probability; AUPR with the out-of-distribution images as positives
// (average precision, the step-wise sum sklearn's average_precision_score computes), and AUROC.

/** Anomaly score of a prediction: -max softmax probability (higher = more anomalous). */
export function anomalyScore(maxSoftmaxProbability: number): number {
  return -maxSoftmaxProbability;
}

/**
 * Average precision of ranking positives above negatives by score: sum over distinct thresholds of
 * (recall_k - recall_{k-1}) * precision_k, thresholds taken at every distinct score (ties enter together).
 */
export function averagePrecision(positiveScores: readonly number[], negativeScores: readonly number[]): number {
  if (positiveScores.length === 0) return NaN;
  const items = [...positiveScores.map((s) => ({ s, p: 1 })), ...negativeScores.map((s) => ({ s, p: 0 }))].sort((a, b) => b.s - a.s);
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let lastRecall = 0;
  for (let i = 0; i < items.length; i++) {
    if (items[i].p) tp++;
    else fp++;
    if (i + 1 < items.length && items[i + 1].s === items[i].s) continue;
    const recall = tp / positiveScores.length;
    ap += (recall - lastRecall) * (tp / (tp + fp));
    lastRecall = recall;
  }
  return ap;
}

/** Area under the ROC curve: probability a positive outscores a negative, ties counting one half. */
export function areaUnderRoc(positiveScores: readonly number[], negativeScores: readonly number[]): number {
  if (positiveScores.length === 0 || negativeScores.length === 0) return NaN;
  const items = [...positiveScores.map((s) => ({ s, p: 1 })), ...negativeScores.map((s) => ({ s, p: 0 }))].sort((a, b) => a.s - b.s);
  // Mann-Whitney U from average ranks.
  let rankSum = 0;
  for (let i = 0; i < items.length; ) {
    let j = i;
    while (j + 1 < items.length && items[j + 1].s === items[i].s) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (items[k].p) rankSum += averageRank;
    i = j + 1;
  }
  const n1 = positiveScores.length;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * negativeScores.length);
}
