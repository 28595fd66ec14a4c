import fs from 'node:fs';
import path from 'node:path';
import type { Measurement } from './load';

export interface MemoryRun {
  seconds: number;
  connections: number;
  /** The server's resident memory once a second, in MB. */
  rssMb: number[];
}

export interface Report {
  machine: string;
  date: string;
  seconds: number;
  measurements: Measurement[];
  memory: MemoryRun | null;
}

const TARGETS = { minRatioToNaive: 5, minRatioToFloor: 0.5 };

const find = (report: Report, target: string, operation: string, connections: number) =>
  report.measurements.find((m) => m.target === target && m.operation === operation && m.connections === connections);

/** server/naive and server/floor requests per second, where both were measured in this run. */
export function ratios(report: Report) {
  return report.measurements
    .filter((m) => m.target === 'server')
    .map((m) => ({
      operation: m.operation,
      connections: m.connections,
      toNaive: ratio(m, find(report, 'naive', m.operation, m.connections)),
      toFloor: ratio(m, find(report, 'floor', m.operation, m.connections)),
    }));
}

const ratio = (server: Measurement, other: Measurement | undefined) =>
  other && other.requestsPerSecond > 0 ? server.requestsPerSecond / other.requestsPerSecond : null;

const fixed = (value: number | null, digits = 1) => (value === null ? '–' : value.toFixed(digits));

/** The results as a Markdown table (printed, and pasted into the README). */
export function markdown(report: Report): string {
  const byKey = new Map(ratios(report).map((r) => [`${r.operation}@${r.connections}`, r]));
  const lines = [
    '| operation | target | conns | req/s | p50 ms | p99 ms | SQL/req | errors | peak RSS MB | ×naive | ×floor |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...report.measurements.map((m) => {
      const r = m.target === 'server' ? byKey.get(`${m.operation}@${m.connections}`) : undefined;
      return `| ${m.operation} | ${m.target} | ${m.connections} | ${fixed(m.requestsPerSecond, 0)} | ${m.p50Ms} | ${m.p99Ms} | ${fixed(m.statementsPerRequest, 2)} | ${m.errors} | ${fixed(m.peakRssMb, 0)} | ${fixed(r?.toNaive ?? null)} | ${fixed(r?.toFloor ?? null, 2)} |`;
    }),
  ];
  if (report.memory) {
    const { rssMb, seconds, connections } = report.memory;
    const tenth = Math.max(1, Math.floor(rssMb.length / 6));
    const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    lines.push(
      '',
      `Memory over ${seconds} s of the nested operation at ${connections} connections: ` +
        `first ${tenth} s ${fixed(average(rssMb.slice(0, tenth)), 0)} MB, last ${tenth} s ${fixed(average(rssMb.slice(-tenth)), 0)} MB, ` +
        `peak ${fixed(Math.max(...rssMb), 0)} MB.`,
    );
  }
  return lines.join('\n');
}

/** Whether operation 3 met its targets at the highest concurrency measured, in words. */
export function verdict(report: Report): string {
  const top = Math.max(...report.measurements.map((m) => m.connections));
  const nested = ratios(report).find((r) => r.operation === 'nested' && r.connections === top);
  if (!nested) return 'the nested operation was not measured against both baselines';
  const meets = (value: number | null, min: number) => (value === null ? 'not measured' : value >= min ? 'met' : 'MISSED');
  return (
    `nested at ${top} connections: ${fixed(nested.toNaive)}× naive (target ≥ ${TARGETS.minRatioToNaive}: ${meets(nested.toNaive, TARGETS.minRatioToNaive)}), ` +
    `${fixed(nested.toFloor, 2)}× floor (target ≥ ${TARGETS.minRatioToFloor}: ${meets(nested.toFloor, TARGETS.minRatioToFloor)})`
  );
}

/** Requests per second as horizontal bars: a group per operation and target, a bar per concurrency. */
export function chart(report: Report): string {
  const rows = [...new Set(report.measurements.map((m) => `${m.operation}|${m.target}`))];
  const conns = [...new Set(report.measurements.map((m) => m.connections))].sort((a, b) => a - b);
  const colors = ['#9ecae1', '#4292c6', '#08519c'];
  const max = Math.max(...report.measurements.map((m) => m.requestsPerSecond), 1);
  const [left, width, bar, gap] = [230, 520, 9, 8];
  const height = 40 + rows.length * (conns.length * bar + gap) + 20;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="16" font-size="13" font-weight="bold">Requests per second (${report.machine})</text>`,
    ...conns.map(
      (c, i) =>
        `<rect x="${left + i * 120}" y="24" width="10" height="10" fill="${colors[i % colors.length]}"/><text x="${left + i * 120 + 14}" y="33">${c} connection${c === 1 ? '' : 's'}</text>`,
    ),
  ];
  rows.forEach((row, r) => {
    const [operation, target] = row.split('|');
    const top = 44 + r * (conns.length * bar + gap);
    parts.push(`<text x="${left - 6}" y="${top + (conns.length * bar) / 2 + 4}" text-anchor="end">${operation} · ${target}</text>`);
    conns.forEach((c, i) => {
      const m = find(report, target!, operation!, c);
      if (!m) return;
      const w = Math.max(1, (m.requestsPerSecond / max) * width);
      parts.push(`<rect x="${left}" y="${top + i * bar}" width="${w.toFixed(1)}" height="${bar - 1}" fill="${colors[i % colors.length]}"/>`);
      parts.push(`<text x="${left + w + 4}" y="${top + i * bar + bar - 1}" font-size="9">${m.requestsPerSecond.toFixed(0)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function writeReport(report: Report, folder: string): string[] {
  fs.mkdirSync(folder, { recursive: true });
  const files = {
    'latest.json': JSON.stringify({ ...report, ratios: ratios(report), verdict: verdict(report) }, null, 2),
    'latest.md': `${markdown(report)}\n\n${verdict(report)}\n`,
    'latest.svg': chart(report),
  };
  return Object.entries(files).map(([name, content]) => {
    fs.writeFileSync(path.join(folder, name), content);
    return path.join(folder, name);
  });
}
