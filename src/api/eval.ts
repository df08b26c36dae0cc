// robustart/eval: Evaluation: runEvaluation, suites and their registry, conditions.
export { runEvaluation, type RunEvaluationOptions, type RunEvaluationResult } from '../eval/run.js';
export { evaluate, type EvaluateOptions, type EvaluationResult } from '../eval/evaluate.js';
export { CLEAN, type Condition, type ConditionMeta, type BatchNoise, type BatchNoiseInput } from '../eval/condition.js';
export { suiteOptions, type Suite, type SuiteContext } from '../eval/suite.js';
export { suites, registerSuite, findSuite, suiteNames } from '../eval/suites/index.js';
export { imagenetASuite, imagenetRSuite, imagenetOSuite } from '../eval/suites/imagenet-variants.js';
