import fs from 'node:fs';
import path from 'node:path';
import { find, ratioTo, sizeComparison, verdicts, type Run } from './verdicts';

export interface MemoryRun {
  seconds: number;
  connections: number;
  /** The server's resident memory once a second, in MB. */
  rssMb: number[];
}

export interface Report extends Run {
  machine: string;
  date: string;
  seconds: number;
  memory: MemoryRun | null;
  /** The same operations measured before on a data set of another size (see sizeComparison), when there is one. */
  otherSize: SizedRun | null;
}

/** A run kept for comparing sizes, with the machine it was measured on. */
interface SizedRun extends Run {
  machine: string;
}

const fixed = (value: number | null, digits = 1) => (value === null ? '–' : value.toFixed(digits));

/** The results as Markdown tables (printed, and pasted into the README). */
export function markdown(report: Report): string {
  const { measurements } = report;
  const lines = [
    `${report.size.users} users, ${report.size.posts} posts; ${report.seconds} s a cell. CPU is milliseconds per request from /proc ` +
      '(PostgreSQL: the whole server, backends that came and went included).',
    '',
    '| operation | target | conns | req/s | p50 ms | p99 ms | SQL/req | Node CPU | PG CPU | errors | peak RSS MB | ×naive | ×floor |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...measurements.map((m) => {
      const server = m.target === 'server';
      const [toNaive, toFloor] = ['naive', 'floor'].map((against) => (server ? ratioTo(measurements, m, against) : null));
      return (
        `| ${m.operation} | ${m.target} | ${m.connections} | ${fixed(m.requestsPerSecond, 0)} | ${m.p50Ms} | ${m.p99Ms} | ` +
        `${fixed(m.statementsPerRequest, 2)} | ${fixed(m.nodeCpuMs, 2)} | ${fixed(m.postgresCpuMs, 2)} | ${m.errors} | ${fixed(m.peakRssMb, 0)} | ` +
        `${fixed(toNaive ?? null)} | ${fixed(toFloor ?? null, 2)} |`
      );
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
  const other = report.otherSize;
  if (other && other.machine !== report.machine) {
    // Another machine's speed would read as the data's growth (or shrinking).
    lines.push(
      '',
      `The ${other.size.posts}-post run kept here was measured on another machine (${other.machine}): not compared. ` +
        `\`npm run bench -- --posts ${other.size.posts} --users ${other.size.users}\` on this machine measures it here.`,
    );
  } else if (other) {
    const [smaller, larger] = other.size.posts < report.size.posts ? [other, report] : [report, other];
    lines.push('', sizeComparison(smaller, larger));
  }
  return lines.join('\n');
}

/** Whether each target was met at 16 and 64 connections, a line each. */
export function verdict(report: Report): string {
  return verdicts(report.measurements).join('\n');
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
      const m = find(report.measurements, target!, operation!, c);
      if (!m) return;
      const w = Math.max(1, (m.requestsPerSecond / max) * width);
      parts.push(`<rect x="${left}" y="${top + i * bar}" width="${w.toFixed(1)}" height="${bar - 1}" fill="${colors[i % colors.length]}"/>`);
      parts.push(`<text x="${left + w + 4}" y="${top + i * bar + bar - 1}" font-size="9">${m.requestsPerSecond.toFixed(0)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The run of the other size kept in `folder` (the most recent one), to compare with. */
export function otherSizeRun(folder: string, posts: number): SizedRun | null {
  const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => /^posts-\d+\.json$/.test(name) && name !== `posts-${posts}.json`) : [];
  const runs = files.map((name) => JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8')) as Report);
  const latest = runs.sort((a, b) => b.date.localeCompare(a.date))[0];
  return latest ? { machine: latest.machine, size: latest.size, measurements: latest.measurements } : null;
}

/** Writes the report as latest.{json,md,svg}, and the run as posts-N.json for comparisons with other sizes. */
export function writeReport(report: Report, folder: string): string[] {
  fs.mkdirSync(folder, { recursive: true });
  const run = { ...report, otherSize: null };
  const files = {
    [`posts-${report.size.posts}.json`]: JSON.stringify(run, null, 2),
    'latest.json': JSON.stringify({ ...report, verdicts: verdicts(report.measurements) }, null, 2),
    'latest.md': `${markdown(report)}\n\n${verdict(report)}\n`,
    'latest.svg': chart(report),
  };
  return Object.entries(files).map(([name, content]) => {
    fs.writeFileSync(path.join(folder, name), content);
    return path.join(folder, name);
  });
}
