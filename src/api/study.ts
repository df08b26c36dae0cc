// robustart/study: Studies (a matrix of models x datasets x suites run to completion), the leaderboard and the dashboard.
export { loadStudy, parseStudy, studySchema, type Study, type StudyModel, type StudyDataset, type StudySuite } from '../study/config.js';
export { runStudy, type RunStudyOptions, type StudyRunResult, type StudyProgress } from '../study/runner.js';
export { studyCells, studyStatus, type CellReport, type CellStatus } from '../study/cells.js';
export { buildLeaderboard, techniqueDeltas, transferMatrix, modelDetail, robustAccuracyFromRecords, conditionMetasOf, type ConditionMetas, type Leaderboard, type LeaderboardRow, type Column } from '../study/leaderboard.js';
export { startDashboardServer, type DashboardServer, type DashboardServerOptions } from '../report/dashboard/server.js';
export { writeSite } from '../report/dashboard/site.js';
export { leaderboardTable, leaderboardCsv, leaderboardParquet, writeLeaderboardParquet, type LeaderboardTable } from '../study/export.js';
