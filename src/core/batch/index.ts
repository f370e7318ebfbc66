/** Batch runs over datasets: parsing (dataset), checks (assertions), grading and summaries (grade). */
export * from './assertions';
export * from './dataset';
export * from './grade';
