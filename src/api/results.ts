// robustart/results: The SQLite results store, run export and HTML reports.
export { ResultStore, defaultStorePath, type RunEntry, type SampleRecord } from '../store/store.js';
export { exportRun } from '../store/export.js';
export { renderRunReport } from '../report/html.js';
