/** The report as JSON: the `Report` shape (version 1), stable for scripts and `GET /api/report`. */
import type { Report } from './model.js';

export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
