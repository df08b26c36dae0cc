// robustart/nas-analysis: the analysis of a NAS subnet study from the results store: per-subnet table, rank
// correlations of architecture dimensions with robustness metrics, Pareto fronts against MACs and params.
export { nasAnalysis, nasSpaces, subnetMetadata, type NasAnalysisOptions, type NasSpaceSummary, type NasSubnetMetadata } from '../nas/stored-subnets.js';
export { analyzeSubnets, flattenChoices, paretoFront, type NasAnalysis, type NasSubnetRow, type NasTableRow, type NasCorrelation, type ParetoFront, type ParetoPoint, type ParetoCost, type ArchitectureChoices } from '../nas/analysis.js';
export { nasAnalysisCsv, NAS_CSV_TABLES, type NasCsvTable } from '../nas/analysis-csv.js';
