// robustart/attacks: Adversarial noise: attacks behind one interface and its building blocks, threat models, protocols,
// masking checks, AR/WCAR and robust accuracy.
export {
  Oracle, finish, checkBatch, chooseTargets, isAdversarial, sampleStreams, indexStreams, checkFiniteLogits,
  type Attack, type AttackResult, type AttackKind, type RunOptions,
} from '../noise/adversarial/attack.js';
export { IterativeAttack, iterativeAttack, type IterativeSettings } from '../noise/adversarial/iterative.js';
export {
  createAttack, attackEntry, registerAttack, attackOptionsSchema, ATTACKS, SPEC_BUDGETS, SPEC_SUITE,
  type AttackOptions, type AttackEntry, type AttackDefinition, type ResolvedAttackOptions,
} from '../noise/adversarial/registry.js';
export { parseEpsilon, parseNorm, projectToThreat, perturbationNorms, type Norm } from '../noise/adversarial/threat.js';
export { FGSM } from '../noise/adversarial/fgsm.js';
export { BIM } from '../noise/adversarial/bim.js';
export { PGD } from '../noise/adversarial/pgd.js';
export { PGDL1 } from '../noise/adversarial/pgd-l1.js';
export { MIM } from '../noise/adversarial/mim.js';
export { APGD } from '../noise/adversarial/apgd.js';
export { APGDT } from '../noise/adversarial/apgd-t.js';
export { CarliniWagnerL2 } from '../noise/adversarial/cw.js';
export { DDN } from '../noise/adversarial/ddn.js';
export { DeepFool } from '../noise/adversarial/deepfool.js';
export { FAB } from '../noise/adversarial/fab.js';
export { Square } from '../noise/adversarial/square.js';
export { SPSA } from '../noise/adversarial/spsa.js';
export { HopSkipJump } from '../noise/adversarial/hop-skip-jump.js';
export { AutoAttack } from '../noise/adversarial/autoattack.js';
export { attackOverEpsilons, runAttack, runConditions, runFromExtras, stillCorrect, type AttackRun, type AttackReport, type TensorRunOptions } from '../noise/adversarial/suite.js';
export { modelChecks, resultChecks, type MaskingFlag } from '../noise/adversarial/masking.js';
export { attackConditions, conditionName, adversarialMeta, budgetKey, type AttackPlan, type AttackCondition, type AttackExtra } from '../noise/adversarial/conditions.js';
export { PROTOCOLS, PROTOCOL_NAMES, findProtocol, resolveProtocol, type AdversarialProtocol, type ProtocolName, type ResolvedProtocol } from '../noise/adversarial/protocols.js';
export { adversarialSuite } from '../eval/suites/adversarial.js';
export { saveExample } from '../noise/adversarial/examples.js';
export { summarizeAttack, worstCaseRobustness, worstCaseByBudget, conditionalAccuracy, type AttackSummary, type WorstCase } from '../metrics/adversarial.js';
