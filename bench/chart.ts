/**
 * The ratios of one `npm run bench` run as an SVG bar chart (written next to
 * the results, embedded in the README): one bar per row with a baseline,
 * how many times better than that baseline rxmp was — faster for a
 * throughput, shorter for a latency, so longer is always better — on a log
 * scale, with the row's target as a tick and 1× (as good as the baseline) as
 * a line.
 */

export interface ChartRow {
  scenario: string;
  baselineName: string;
  /** rxmp's median over the baseline's (a latency's too). */
  ratio: number | undefined;
  /** The target's kind and value, as the scenario gives it. */
  targetKind: 'at-least' | 'at-most' | 'at-most-absolute' | 'info';
  targetValue: number;
  met: boolean | undefined;
}

const WIDTH = 960;
const LABEL = 430;
const BAR = 18;
const GAP = 8;
const TOP = 56;
const BOTTOM = 36;
const RIGHT = 70;
/** The log scale spans these ratios (a bar beyond is drawn to the edge, its number still exact). */
const MIN = 0.1;
const MAX = 100;

/** "Times better": the ratio for a throughput, its inverse for a latency. */
export function timesBetter(row: ChartRow): number | undefined {
  if (row.ratio === undefined || row.ratio <= 0) return undefined;
  return row.targetKind === 'at-most' ? 1 / row.ratio : row.ratio;
}

function targetTimesBetter(row: ChartRow): number | undefined {
  if (row.targetKind === 'at-least') return row.targetValue;
  if (row.targetKind === 'at-most') return 1 / row.targetValue;
  return undefined;
}

export function ratiosSvg(rows: ChartRow[], title: string): string {
  const drawn = rows.filter((r) => timesBetter(r) !== undefined);
  const height = TOP + drawn.length * (BAR + GAP) + BOTTOM;
  const plot = WIDTH - LABEL - RIGHT;
  const x = (v: number): number => LABEL + (plot * (Math.log10(clamp(v)) - Math.log10(MIN))) / (Math.log10(MAX) - Math.log10(MIN));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${WIDTH / 2}" y="38" text-anchor="middle" fill="#555">times better than the baseline (log scale; longer is better). Tick: the target. Green: met; orange: missed.</text>`,
  ];
  for (const v of [0.1, 0.3, 1, 3, 10, 30, 100]) {
    const at = x(v).toFixed(1);
    parts.push(
      `<line x1="${at}" y1="${TOP - 6}" x2="${at}" y2="${height - BOTTOM + 4}" stroke="${v === 1 ? '#333' : '#ddd'}" stroke-width="${v === 1 ? 1.5 : 1}"/>`,
      `<text x="${at}" y="${height - BOTTOM + 18}" text-anchor="middle" fill="#555">${v}×</text>`,
    );
  }
  drawn.forEach((row, i) => {
    const y = TOP + i * (BAR + GAP);
    const value = timesBetter(row) as number;
    const from = x(Math.min(1, value));
    const to = x(Math.max(1, value));
    const fill = row.met === undefined ? '#8aa' : row.met ? '#3a8a3a' : '#e08a1e';
    parts.push(
      `<text x="${LABEL - 8}" y="${y + BAR - 5}" text-anchor="end">${escapeXml(shorten(`${row.scenario} vs ${row.baselineName}`, 68))}</text>`,
      `<rect x="${from.toFixed(1)}" y="${y}" width="${Math.max(1, to - from).toFixed(1)}" height="${BAR}" fill="${fill}"><title>${escapeXml(`${row.scenario}: ${format(value)} better than ${row.baselineName}`)}</title></rect>`,
      `<text x="${(to + 4).toFixed(1)}" y="${y + BAR - 5}">${format(value)}</text>`,
    );
    const target = targetTimesBetter(row);
    if (target !== undefined) {
      const at = x(target).toFixed(1);
      parts.push(`<line x1="${at}" y1="${y - 3}" x2="${at}" y2="${y + BAR + 3}" stroke="#000" stroke-width="2"/>`);
    }
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function clamp(v: number): number {
  return Math.min(MAX, Math.max(MIN, v));
}

function format(v: number): string {
  return `${v >= 10 ? v.toFixed(0) : v.toFixed(2)}×`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
